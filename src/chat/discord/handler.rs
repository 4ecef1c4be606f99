//! One interaction handler for both modes (gateway and HTTP): slash commands, autocomplete,
//! buttons and modal submits become the same `Invocation`s the shell builds.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use serenity::http::{LightMethod, Route};
use serenity::model::application::{
    ActionRowComponent, CommandDataOption, CommandDataOptionValue, CommandInteraction,
    ComponentInteraction, Interaction, ModalInteraction,
};
use serenity::model::id::{GuildId, RoleId, UserId};
use serenity::model::user::User;

use super::commands::spec_for;
use super::custom_id::{CustomIds, Target};
use super::rest::Rest;
use super::{autocomplete, messages, modals, sender};
use crate::commands::catalog::{self, CommandId, CommandSpec, NAME_MAX};
use crate::commands::{Args, Visibility, messages as parse_messages, value};
use crate::domain::Role;
use crate::render::Message;
use crate::services::{Caller, Invocation, Outcome, Services};
use crate::store::{self, members};

/// Interaction response types.
mod response_type {
    pub const PONG: u8 = 1;
    pub const MESSAGE: u8 = 4;
    pub const DEFERRED_MESSAGE: u8 = 5;
    pub const DEFERRED_UPDATE: u8 = 6;
    pub const UPDATE_MESSAGE: u8 = 7;
    pub const AUTOCOMPLETE: u8 = 8;
    pub const MODAL: u8 = 9;
}
/// How long a Yes/No question stays answerable.
const CONFIRMATION_TTL: chrono::Duration = chrono::Duration::minutes(15);
/// Message flag: only the invoker sees it.
const EPHEMERAL: u64 = 64;

/// What to answer an interaction with, plus extra messages for a reply over 2,000 characters
/// (sent as follow-ups through the interaction webhook).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub response: Value,
    pub followups: Vec<Value>,
}

impl Reply {
    fn only(response: Value) -> Self {
        Self {
            response,
            followups: Vec::new(),
        }
    }
}

/// The answer within Discord's 3 seconds: the reply, or a deferral whose reply comes later.
pub enum Answer {
    Now(Reply),
    Deferred {
        initial: Value,
        later: tokio::task::JoinHandle<Reply>,
    },
}

pub struct Handler {
    pub services: Services,
    ids: CustomIds,
    rest: Option<Arc<Rest>>,
    /// Program role → Discord role, from `[discord.roles]`.
    roles: BTreeMap<Role, RoleId>,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler").finish_non_exhaustive()
    }
}

impl Handler {
    pub fn new(
        services: Services,
        ids: CustomIds,
        rest: Option<Arc<Rest>>,
        roles: BTreeMap<Role, RoleId>,
    ) -> Self {
        Self {
            services,
            ids,
            rest,
            roles,
        }
    }

    pub fn rest(&self) -> Option<&Arc<Rest>> {
        self.rest.as_ref()
    }

    /// Handles `interaction`, deferring when the services take longer than `defer_after`.
    pub async fn answer(
        self: &Arc<Self>,
        interaction: Interaction,
        defer_after: Duration,
    ) -> Answer {
        let Some(initial) = self.deferral(&interaction) else {
            return Answer::Now(self.handle(&interaction).await);
        };
        let handler = Arc::clone(self);
        let mut later = tokio::spawn(async move { handler.handle(&interaction).await });
        match tokio::time::timeout(defer_after, &mut later).await {
            Ok(Ok(reply)) => Answer::Now(reply),
            Ok(Err(join)) => {
                tracing::error!(error = %join, "interaction task failed");
                Answer::Now(Reply::only(message_response(
                    &crate::services::messages::internal_error(),
                    Visibility::Ephemeral,
                )))
            }
            Err(_) => Answer::Deferred { initial, later },
        }
    }

    /// The full answer to one interaction.
    #[tracing::instrument(skip_all, fields(interaction = %interaction.id()))]
    pub async fn handle(&self, interaction: &Interaction) -> Reply {
        match interaction {
            Interaction::Ping(_) => Reply::only(json!({ "type": response_type::PONG })),
            Interaction::Command(command) => self.command(command).await,
            Interaction::Autocomplete(command) => Reply::only(self.autocomplete(command).await),
            Interaction::Component(component) => self.component(component).await,
            Interaction::Modal(modal) => self.modal(modal).await,
            _ => Reply::only(message_response(
                &messages::unsupported(),
                Visibility::Ephemeral,
            )),
        }
    }

    async fn command(&self, command: &CommandInteraction) -> Reply {
        let (spec, options) = match resolve(command) {
            Ok(found) => found,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        let nick = command.member.as_ref().and_then(|m| m.nick.as_deref());
        let caller = match self.caller(command.guild_id, &command.user, nick).await {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        // Users named in options become members too, so `/role grant @new` finds them.
        for (id, user) in &command.data.resolved.users {
            let nick = command
                .data
                .resolved
                .members
                .get(id)
                .and_then(|m| m.nick.as_deref());
            if let Err(err) = self.ensure_member(caller.community_id, user, nick).await {
                tracing::warn!(error = ?err, "could not record a mentioned Discord user");
            }
        }
        let raw: Vec<(String, String)> = options
            .iter()
            .filter_map(|o| raw_value(&o.value).map(|v| (o.name.clone(), v)))
            .collect();
        let reply = self
            .invoke(caller.clone(), spec, &raw, command.id.to_string(), false)
            .await;
        if matches!(spec.id, CommandId::RoleGrant | CommandId::RoleRevoke)
            && let Some(guild) = command.guild_id
            && let Ok(args) = args_for(spec, &raw)
        {
            self.reflect_role(guild, &caller, &args).await;
        }
        reply
    }

    /// Runs a command from option text; a question ("replace your check-in?") gets Yes/No
    /// buttons, its options kept until the answer.
    async fn invoke(
        &self,
        caller: Caller,
        spec: &'static CommandSpec,
        raw: &[(String, String)],
        delivery_id: String,
        confirmed: bool,
    ) -> Reply {
        let args = match args_for(spec, raw) {
            Ok(args) => args,
            Err(problem) => {
                return Reply::only(message_response(
                    &messages::bad_option(&problem),
                    Visibility::Ephemeral,
                ));
            }
        };
        let member_id = caller.member.id;
        let mut invocation = Invocation::new(caller, spec, args);
        invocation.delivery_id = Some(delivery_id);
        invocation.confirmed = confirmed;
        let outcome = self.services.handle(invocation).await;
        let mut reply = self.outcome_reply(&outcome).await;
        if outcome.needs_confirmation {
            match self.ask(member_id, spec, raw).await {
                Ok(buttons) => reply.response["data"]["components"] = buttons,
                Err(err) => {
                    tracing::error!(error = ?err, "could not keep a command for its confirmation")
                }
            }
        }
        reply
    }

    async fn ask(
        &self,
        member_id: uuid::Uuid,
        spec: &CommandSpec,
        raw: &[(String, String)],
    ) -> sqlx::Result<Value> {
        let mut conn = self.services.pool.acquire().await?;
        let now = self.services.clock.now();
        let id = store::discord::save_confirmation(&mut conn, member_id, spec.path, raw, now)
            .await?
            .to_string();
        let yes = self.ids.encode(&Target::Confirm {
            pending: id.clone(),
        });
        let no = self.ids.encode(&Target::Cancel { pending: id });
        Ok(json!([{ "type": 1, "components": [
            { "type": 2, "style": 3, "label": messages::YES, "custom_id": yes },
            { "type": 2, "style": 2, "label": messages::NO, "custom_id": no },
        ]}]))
    }

    /// The answer to a Yes/No question: runs (or drops) the kept command and replaces the
    /// question with the result.
    async fn answer_question(
        &self,
        component: &ComponentInteraction,
        pending: &str,
        yes: bool,
    ) -> Reply {
        let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
        let caller = match self.caller(component.guild_id, &component.user, nick).await {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        let since = self.services.clock.now() - CONFIRMATION_TTL;
        let kept = match pending.parse::<uuid::Uuid>() {
            Ok(id) => {
                store::discord::take_confirmation(&self.services.pool, id, caller.member.id, since)
                    .await
            }
            Err(_) => Ok(None),
        };
        let (command, raw) = match kept {
            Ok(Some(kept)) => kept,
            Ok(None) => {
                return Reply::only(message_response(
                    &messages::expired(),
                    Visibility::Ephemeral,
                ));
            }
            Err(err) => {
                tracing::error!(error = ?err, "reading a kept command");
                return Reply::only(message_response(
                    &crate::services::messages::internal_error(),
                    Visibility::Ephemeral,
                ));
            }
        };
        let mut reply = match (yes, catalog::find(&command)) {
            (true, Some(spec)) => {
                self.invoke(caller, spec, &raw, component.id.to_string(), true)
                    .await
            }
            _ => Reply::only(message_response(&messages::kept(), Visibility::Ephemeral)),
        };
        // Replace the question (and its buttons) with the result.
        reply.response["type"] = json!(response_type::UPDATE_MESSAGE);
        if let Some(data) = reply.response["data"].as_object_mut() {
            data.remove("flags");
            data.insert("components".into(), json!([]));
        }
        reply
    }

    async fn outcome_reply(&self, outcome: &Outcome) -> Reply {
        let member_ids: Vec<uuid::Uuid> = outcome.reply.mentioned().collect();
        let discord_ids = store::discord::user_ids(&self.services.pool, &member_ids)
            .await
            .unwrap_or_default();
        reply_for(outcome, &discord_ids, &self.ids)
    }

    async fn autocomplete(&self, command: &CommandInteraction) -> Value {
        let choices = match (resolve(command), command.data.autocomplete()) {
            (Ok((spec, _)), Some(focused)) => match spec.option(focused.name) {
                Some(option) => {
                    let community = match command.guild_id {
                        Some(guild) => store::discord::community_by_guild(
                            &self.services.pool,
                            &guild.to_string(),
                        )
                        .await
                        .ok()
                        .flatten()
                        .map(|(id, _)| id),
                        None => None,
                    };
                    autocomplete::choices(&self.services.pool, community, option, focused.value)
                        .await
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        json!({ "type": response_type::AUTOCOMPLETE, "data": { "choices": choices } })
    }

    /// A button press opens the matching modal or answers a question; an expired or forged
    /// id changes nothing.
    async fn component(&self, component: &ComponentInteraction) -> Reply {
        let response = match self.ids.decode(&component.data.custom_id) {
            Some(Target::CheckInButton { cohort, period }) => {
                let id = self.ids.encode(&Target::CheckInModal {
                    cohort: cohort.clone(),
                    period,
                });
                json!({ "type": response_type::MODAL, "data": modals::checkin(&id, &cohort) })
            }
            Some(Target::ReplyButton { handle, period }) => {
                let id = self.ids.encode(&Target::ReplyModal { handle, period });
                json!({ "type": response_type::MODAL, "data": modals::reply(&id) })
            }
            Some(Target::Confirm { pending }) => {
                return self.answer_question(component, &pending, true).await;
            }
            Some(Target::Cancel { pending }) => {
                return self.answer_question(component, &pending, false).await;
            }
            _ => {
                tracing::info!("expired or forged component id");
                message_response(&messages::expired(), Visibility::Ephemeral)
            }
        };
        Reply::only(response)
    }

    async fn modal(&self, modal: &ModalInteraction) -> Reply {
        let target = self.ids.decode(&modal.data.custom_id);
        let nick = modal.member.as_ref().and_then(|m| m.nick.as_deref());
        let fields = modal_fields(modal);
        let (spec, raw) = match target {
            Some(Target::CheckInModal { cohort, .. }) => {
                let mut raw = fields;
                raw.push(("cohort".to_owned(), cohort));
                (catalog::spec(CommandId::Checkin), raw)
            }
            Some(Target::ReplyModal { handle, .. }) => {
                let mut raw = fields;
                raw.push(("learner".to_owned(), handle));
                (catalog::spec(CommandId::CheckinReply), raw)
            }
            _ => {
                tracing::info!("expired or forged modal id");
                return Reply::only(message_response(
                    &messages::expired(),
                    Visibility::Ephemeral,
                ));
            }
        };
        let caller = match self.caller(modal.guild_id, &modal.user, nick).await {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        self.invoke(caller, spec, &raw, modal.id.to_string(), false)
            .await
    }

    /// The community of the guild and the member, created or renamed on first contact.
    async fn caller(
        &self,
        guild: Option<GuildId>,
        user: &User,
        nick: Option<&str>,
    ) -> Result<Caller, Message> {
        let Some(guild) = guild else {
            return Err(messages::guild_only());
        };
        let pool = &self.services.pool;
        let community = store::discord::community_by_guild(pool, &guild.to_string())
            .await
            .map_err(|err| {
                tracing::error!(error = ?err, "looking up the guild's community");
                crate::services::messages::internal_error()
            })?;
        let Some((community_id, community_slug)) = community else {
            tracing::info!(guild = %guild, "interaction from a guild with no community");
            return Err(messages::unknown_guild());
        };
        let member = self
            .ensure_member(community_id, user, nick)
            .await
            .map_err(|err| {
                tracing::error!(error = ?err, "recording the Discord member");
                crate::services::messages::internal_error()
            })?;
        Ok(Caller {
            community_id,
            community_slug,
            member,
        })
    }

    async fn ensure_member(
        &self,
        community_id: uuid::Uuid,
        user: &User,
        nick: Option<&str>,
    ) -> sqlx::Result<members::Member> {
        let name = display_name(user, nick);
        members::ensure(
            &self.services.pool,
            community_id,
            "discord",
            &user.id.to_string(),
            &name,
            self.services.clock.now(),
        )
        .await
    }

    /// After `/role grant|revoke`: give or take the mapped Discord role to match the program.
    async fn reflect_role(&self, guild: GuildId, caller: &Caller, args: &Args) {
        let (Some(rest), Some(role), Some(user)) =
            (&self.rest, args.role("role"), args.text("user"))
        else {
            return;
        };
        let (Some(role_id), Ok(user_id)) = (self.roles.get(&role), user.parse::<u64>()) else {
            return;
        };
        let holds =
            store::discord::holds_role(&self.services.pool, caller.community_id, user, role).await;
        let method = match holds {
            Ok(true) => LightMethod::Put,
            Ok(false) => LightMethod::Delete,
            Err(err) => {
                tracing::error!(error = ?err, "reading roles for Discord role sync");
                return;
            }
        };
        let route = Route::GuildMemberRole {
            guild_id: guild,
            user_id: UserId::new(user_id),
            role_id: *role_id,
        };
        if let Err(err) = rest.call(route, method, None).await {
            tracing::warn!(error = %err, role = role.as_str(), "could not update the Discord role");
        }
    }

    /// Gateway member events: keep the display name and the mapped program roles in step
    /// with Discord (community-wide roles only; cohort roles stay the program's business).
    pub async fn sync_member(
        &self,
        guild: GuildId,
        user: &User,
        nick: Option<&str>,
        role_ids: &[RoleId],
    ) -> anyhow::Result<()> {
        let pool = &self.services.pool;
        let Some((community_id, _)) =
            store::discord::community_by_guild(pool, &guild.to_string()).await?
        else {
            return Ok(());
        };
        if user.bot {
            return Ok(());
        }
        let member = self.ensure_member(community_id, user, nick).await?;
        let now = self.services.clock.now();
        for (role, discord_role) in &self.roles {
            let has = role_ids.contains(discord_role);
            let changed = if has {
                store::roles::grant(pool, community_id, member.id, *role, None, None, now).await?
            } else {
                store::roles::revoke(pool, member.id, *role, None).await?
            };
            if changed {
                let action = if has { "role.grant" } else { "role.revoke" };
                let detail = json!({ "member": member.platform_user_id, "role": role.as_str(), "via": "discord" });
                store::audit::record(pool, community_id, Some(member.id), action, detail, now)
                    .await?;
            }
        }
        Ok(())
    }
}

impl Handler {
    /// A deferral for interactions whose answer may need the services (type 5, or 6 for a
    /// Yes/No answer, which edits the question); `None` for those answered at once (PING,
    /// autocomplete, a button opening a modal).
    fn deferral(&self, interaction: &Interaction) -> Option<Value> {
        let visibility = match interaction {
            Interaction::Command(command) => resolve(command).ok()?.0.visibility,
            Interaction::Modal(_) => Visibility::Ephemeral,
            Interaction::Component(component) => {
                return match self.ids.decode(&component.data.custom_id)? {
                    Target::Confirm { .. } | Target::Cancel { .. } => {
                        Some(json!({ "type": response_type::DEFERRED_UPDATE }))
                    }
                    _ => None,
                };
            }
            _ => return None,
        };
        Some(json!({
            "type": response_type::DEFERRED_MESSAGE,
            "data": with_visibility(json!({}), visibility),
        }))
    }
}

/// A service outcome as an interaction answer: the first 2,000 characters in the response,
/// the rest as follow-ups with the same visibility.
fn reply_for(
    outcome: &Outcome,
    discord_ids: &std::collections::HashMap<uuid::Uuid, String>,
    ids: &CustomIds,
) -> Reply {
    let mut parts = sender::render(&outcome.reply, discord_ids, ids).into_iter();
    let first = parts
        .next()
        .map(|p| p.to_json())
        .unwrap_or_else(|| json!({}));
    let followups = parts
        .map(|p| with_visibility(p.to_json(), outcome.visibility))
        .collect();
    Reply {
        response: json!({
            "type": response_type::MESSAGE,
            "data": with_visibility(first, outcome.visibility),
        }),
        followups,
    }
}

fn with_visibility(mut data: Value, visibility: Visibility) -> Value {
    if visibility == Visibility::Ephemeral {
        data["flags"] = json!(EPHEMERAL);
    }
    data
}

/// A plain message answer (type 4).
pub fn message_response(message: &Message, visibility: Visibility) -> Value {
    let part = crate::render::discord::render(message, &Default::default(), &|_| String::new())
        .into_iter()
        .next()
        .map(|p| p.to_json())
        .unwrap_or_default();
    json!({ "type": response_type::MESSAGE, "data": with_visibility(part, visibility) })
}

/// The catalog command and its options for a slash command (or its autocomplete).
fn resolve(
    command: &CommandInteraction,
) -> Result<(&'static CommandSpec, &[CommandDataOption]), Message> {
    let name = command.data.name.as_str();
    let (sub, options) = match command.data.options.first() {
        Some(CommandDataOption {
            name,
            value: CommandDataOptionValue::SubCommand(options),
            ..
        }) => (Some(name.as_str()), options.as_slice()),
        _ => (None, command.data.options.as_slice()),
    };
    spec_for(name, sub)
        .map(|spec| (spec, options))
        .ok_or_else(|| {
            messages::unknown_command(format!("{name} {}", sub.unwrap_or("")).trim_end())
        })
}

fn raw_value(value: &CommandDataOptionValue) -> Option<String> {
    Some(match value {
        CommandDataOptionValue::String(s) => s.clone(),
        CommandDataOptionValue::Integer(i) => i.to_string(),
        CommandDataOptionValue::Number(n) => n.to_string(),
        CommandDataOptionValue::Boolean(b) => b.to_string(),
        CommandDataOptionValue::User(id) => id.to_string(),
        CommandDataOptionValue::Autocomplete { value, .. } => value.clone(),
        _ => return None,
    })
}

/// Option text to typed values with the same conversion the text parser uses; empty
/// optional fields (a blank modal input) count as absent.
fn args_for(spec: &'static CommandSpec, raw: &[(String, String)]) -> Result<Args, String> {
    let mut args = Args::default();
    for (name, text) in raw {
        let Some(option) = spec.option(name) else {
            return Err(parse_messages::unknown_option(spec.path, name, None));
        };
        if text.trim().is_empty() && !option.required {
            continue;
        }
        let value = value::convert(option, text)
            .map_err(|problem| parse_messages::invalid_value(&spec.usage(), &problem))?;
        args.0.push((option.name, value));
    }
    if let Some(missing) = spec
        .options
        .iter()
        .find(|o| o.required && args.get(o.name).is_none())
    {
        return Err(parse_messages::missing_option(missing.name, &spec.usage()));
    }
    Ok(args)
}

fn modal_fields(modal: &ModalInteraction) -> Vec<(String, String)> {
    modal
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|component| match component {
            ActionRowComponent::InputText(input) => Some((
                input.custom_id.clone(),
                input.value.clone().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect()
}

/// Server nickname, else global display name, else user name.
fn display_name(user: &User, nick: Option<&str>) -> String {
    let name = nick.or(user.global_name.as_deref()).unwrap_or(&user.name);
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    if clean.trim().is_empty() {
        user.name.clone()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_reply_continues_in_follow_ups_with_the_same_visibility() {
        let mut message = Message::new();
        for i in 0..200 {
            message = message
                .text(format!("line {i:03}: some history text"))
                .line();
        }
        let outcome = Outcome::reply(message, Visibility::Ephemeral);
        let reply = reply_for(&outcome, &Default::default(), &CustomIds::new(b"k"));
        assert_eq!(reply.response["type"], 4);
        assert_eq!(reply.response["data"]["flags"], 64);
        assert!(!reply.followups.is_empty());
        let mut all = reply.response["data"]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        for followup in &reply.followups {
            assert_eq!(followup["flags"], 64);
            assert_eq!(
                followup["allowed_mentions"],
                json!({ "parse": [], "users": [] })
            );
            let content = followup["content"].as_str().unwrap();
            assert!(content.chars().count() <= 2_000);
            all.push('\n');
            all.push_str(content);
        }
        assert!(all.contains("line 000") && all.contains("line 199"));
        let public = reply_for(
            &Outcome::reply("hi", Visibility::Public),
            &Default::default(),
            &CustomIds::new(b"k"),
        );
        assert!(public.response["data"].get("flags").is_none());
    }
}
