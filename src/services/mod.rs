//! Use-cases. Services know no platform: they take an invocation, apply the program's rules
//! in one transaction, and return the reply and the posts it causes.

pub mod enrollment;
pub mod identity;
pub mod lookup;
pub mod messages;
pub mod profile;
pub mod roles;

use std::sync::Arc;

use sqlx::PgPool;
use thiserror::Error;
use uuid::Uuid;

use crate::clock::Clock;
use crate::commands::{Args, CommandId, CommandSpec, Permission, Visibility, help};
use crate::domain::Role;
use crate::render::Message;
use crate::store::{self, members::Member};

/// Who is calling, resolved to this community's member.
#[derive(Debug, Clone)]
pub struct Caller {
    pub community_id: Uuid,
    pub community_slug: String,
    pub member: Member,
}

#[derive(Debug, Clone)]
pub struct Invocation {
    pub caller: Caller,
    pub spec: &'static CommandSpec,
    pub args: Args,
}

/// Where a post goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A channel, by its configured name or platform id.
    Channel(String),
    /// A direct message to a member.
    Direct {
        member_id: Uuid,
        display_name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub to: Destination,
    pub message: Message,
}

/// What a command produced: the reply to the invoker and the posts it causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Message,
    pub visibility: Visibility,
    pub posts: Vec<Post>,
}

impl Outcome {
    pub fn reply(reply: impl Into<Message>, visibility: Visibility) -> Self {
        Self {
            reply: reply.into(),
            visibility,
            posts: Vec::new(),
        }
    }

    pub fn with_post(mut self, to: Destination, message: Message) -> Self {
        self.posts.push(Post { to, message });
        self
    }
}

#[derive(Debug, Error)]
pub enum ServiceError {
    /// A problem with the request, shown to the user as is.
    #[error("{}", crate::render::plain::render(.0))]
    User(Message),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        ServiceError::Internal(anyhow::Error::new(err).context("database"))
    }
}

pub type ServiceResult<T = Outcome> = Result<T, ServiceError>;

pub fn refuse<T>(message: impl Into<Message>) -> ServiceResult<T> {
    Err(ServiceError::User(message.into()))
}

/// The services with their database and clock.
#[derive(Debug, Clone)]
pub struct Services {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
}

impl Services {
    pub fn new(pool: PgPool, clock: Arc<dyn Clock>) -> Self {
        Self { pool, clock }
    }

    /// Runs one command. Never fails: user errors and internal errors both become replies.
    #[tracing::instrument(skip_all, fields(
        community = %invocation.caller.community_slug,
        member = %invocation.caller.member.platform_user_id,
        command = invocation.spec.path,
    ))]
    pub async fn handle(&self, invocation: Invocation) -> Outcome {
        match self.route(&invocation).await {
            Ok(outcome) => {
                tracing::info!("command handled");
                outcome
            }
            Err(ServiceError::User(message)) => {
                // The reason may echo user text, which stays out of info-level logs.
                tracing::info!("command refused");
                tracing::debug!(reason = %crate::render::plain::render(&message), "refusal reason");
                Outcome::reply(message, Visibility::Ephemeral)
            }
            Err(ServiceError::Internal(err)) => {
                tracing::error!(error = ?err, "command failed");
                Outcome::reply(messages::internal_error(), Visibility::Ephemeral)
            }
        }
    }

    async fn route(&self, inv: &Invocation) -> ServiceResult {
        if inv.spec.permission == Permission::Steward {
            let steward =
                store::roles::holds_community_role(&self.pool, inv.caller.member.id, Role::Steward)
                    .await?;
            if !steward {
                return refuse(messages::stewards_only(inv.spec.path));
            }
        }
        let visibility = inv.spec.visibility;
        match inv.spec.id {
            CommandId::Help => Ok(Outcome::reply(
                help_for(inv.args.text("command"))?,
                visibility,
            )),
            CommandId::CohortList => enrollment::list(self, inv).await,
            CommandId::CohortJoin => enrollment::join(self, inv).await,
            CommandId::CohortLeave => enrollment::leave(self, inv).await,
            CommandId::CohortCreate => enrollment::create(self, inv).await,
            CommandId::Coc => enrollment::show_coc(self, inv).await,
            CommandId::CocAccept => enrollment::accept_coc(self, inv).await,
            CommandId::Me => profile::show(self, inv).await,
            CommandId::MeTimezone => profile::set_timezone(self, inv).await,
            CommandId::MeSkills => profile::set_skills(self, inv).await,
            CommandId::RoleGrant => roles::grant(self, inv).await,
            CommandId::RoleRevoke => roles::revoke(self, inv).await,
        }
    }
}

fn help_for(command: Option<&str>) -> ServiceResult<Message> {
    match command {
        None => Ok(help::overview()),
        Some(path) => help::command(path).map_or_else(|| refuse(messages::no_such_help(path)), Ok),
    }
}
