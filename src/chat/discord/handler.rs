//! One interaction handler for both modes (gateway and HTTP): slash commands, autocomplete,
//! buttons and modal submits become the same `Invocation`s the shell builds.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use serenity::model::application::{
    CommandDataOptionValue, CommandInteraction, CommandType, ComponentInteraction, Interaction,
    ModalInteraction, ResolvedTarget,
};
use serenity::model::id::RoleId;

use super::custom_id::{CUSTOM_ID_MAX, CustomIds, FormTarget, Target};
use super::options::{args_for, modal_fields, raw_value, resolve};
use super::rest::Rest;
use super::{autocomplete, messages, modals, sender};
use crate::commands::Visibility;
use crate::commands::catalog::{self, CommandId, CommandSpec, SHARE};
use crate::commands::forms::{self, FormId, form};
use crate::domain::Role;
use crate::render::{ActionKind, Message};
use crate::services::{Caller, Invocation, Outcome, Services, knowledge};
use crate::store;
use crate::store::discord::DmHint;

/// Interaction response types.
pub(super) mod response_type {
    pub const PONG: u8 = 1;
    pub const MESSAGE: u8 = 4;
    pub const DEFERRED_MESSAGE: u8 = 5;
    pub const DEFERRED_UPDATE: u8 = 6;
    pub const UPDATE_MESSAGE: u8 = 7;
    pub const AUTOCOMPLETE: u8 = 8;
    pub const MODAL: u8 = 9;
}
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
    pub(super) fn only(response: Value) -> Self {
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
    pub(super) ids: CustomIds,
    pub(super) rest: Option<Arc<Rest>>,
    /// Program role → Discord role, from `[discord.roles]`.
    pub(super) roles: BTreeMap<Role, RoleId>,
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
        if command.data.kind == CommandType::Message {
            return self.save_message(command).await;
        }
        let (spec, options) = match resolve(command) {
            Ok(found) => found,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        let nick = command.member.as_ref().and_then(|m| m.nick.as_deref());
        let caller = match self
            .caller(command.guild_id, &command.user, nick, DmHint::default())
            .await
        {
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
                tracing::warn!(error = %format!("{err:#}"), "could not record a mentioned Discord user");
            }
        }
        let raw: Vec<(String, String)> = options
            .iter()
            .filter_map(|o| raw_value(&o.value).map(|v| (o.name.clone(), v)))
            .collect();
        let given: Vec<&str> = raw.iter().map(|(name, _)| name.as_str()).collect();
        if let Some(form) = forms::opened_by(spec.id, &given) {
            let (prefill, context) = forms::split_typed(form, raw);
            return self
                .open_command_form(&caller, form, context, prefill)
                .await;
        }
        self.invoke(caller, spec, &raw, command.id.to_string())
            .await
    }

    /// The form a command opens (`/kb add faq`), carrying the options it was typed with;
    /// the edit form shows the entry as it is, once the caller may edit it.
    async fn open_command_form(
        &self,
        caller: &Caller,
        form: &'static forms::FormSpec,
        context: Vec<(String, String)>,
        mut prefill: Vec<(&'static str, String)>,
    ) -> Reply {
        match self.services.open_form(caller, form.id, &context).await {
            Ok(Some(current)) => prefill = current,
            Ok(None) => {}
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        }
        // The edit form's title names the entry.
        let entry = context
            .iter()
            .find(|(name, _)| name == "entry")
            .map(|(_, v)| v.clone());
        let custom_id = self
            .ids
            .encode(&Target::Form(FormTarget::command(form.id, &context)));
        if custom_id.len() > CUSTOM_ID_MAX {
            tracing::info!("a form's options do not fit in a Discord custom id");
            return Reply::only(message_response(
                &messages::form_context_too_long(),
                Visibility::Ephemeral,
            ));
        }
        Reply::only(json!({
            "type": response_type::MODAL,
            "data": modals::modal(form, &custom_id, entry.as_deref(), &prefill),
        }))
    }

    /// **Save to knowledge base** on a message: the add form, filled with the message and a
    /// link back to it.
    async fn save_message(&self, command: &CommandInteraction) -> Reply {
        let Some(ResolvedTarget::Message(message)) = command.data.target() else {
            tracing::info!("a message command without its message");
            return Reply::only(message_response(
                &messages::expired(),
                Visibility::Ephemeral,
            ));
        };
        let nick = command.member.as_ref().and_then(|m| m.nick.as_deref());
        let caller = match self
            .caller(command.guild_id, &command.user, nick, DmHint::default())
            .await
        {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        let place = command
            .guild_id
            .map_or_else(|| "@me".to_owned(), |g| g.to_string());
        let link = format!(
            "https://discord.com/channels/{place}/{}/{}",
            message.channel_id, message.id
        );
        let prefill = knowledge::saved_message(&message.content, &link);
        let form = forms::form(FormId::KbAdd);
        let context = vec![("kind".to_owned(), "faq".to_owned())];
        self.open_command_form(&caller, form, context, prefill)
            .await
    }

    /// Runs a command from option text. A question ("replace your check-in?") comes back
    /// with the services' Yes/No actions, rendered as buttons like any other.
    pub(super) async fn invoke(
        &self,
        caller: Caller,
        spec: &'static CommandSpec,
        raw: &[(String, String)],
        delivery_id: String,
    ) -> Reply {
        let args = match args_for(spec, raw) {
            Ok(args) => args,
            Err(problem) => {
                return Reply::only(message_response(&problem, Visibility::Ephemeral));
            }
        };
        let mut invocation = Invocation::new(caller, spec, args);
        invocation.delivery_id = Some(delivery_id);
        let outcome = self.services.handle(invocation).await;
        self.outcome_reply(&outcome).await
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
                    let typing = self.typing(command).await;
                    autocomplete::choices(&typing, option, focused.value).await
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        json!({ "type": response_type::AUTOCOMPLETE, "data": { "choices": choices } })
    }

    /// The community and zone an autocompleting member types in. Read-only: autocomplete
    /// creates no member, and falls back to UTC for times.
    async fn typing(&self, command: &CommandInteraction) -> autocomplete::Typing<'_> {
        let pool = &self.services.pool;
        let community = match command.guild_id {
            Some(guild) => store::discord::community_by_guild(pool, &guild.to_string())
                .await
                .ok()
                .flatten()
                .map(|(id, _)| id),
            None => None,
        };
        let member = match community {
            Some(id) => store::members::find(pool, id, "discord", &command.user.id.to_string())
                .await
                .ok()
                .flatten(),
            None => None,
        };
        let zone = member
            .as_ref()
            .and_then(|m| m.timezone.clone())
            .and_then(|tz| crate::domain::parse_timezone(&tz).ok())
            .unwrap_or(chrono_tz::Tz::UTC);
        autocomplete::Typing {
            pool,
            community,
            member: member.as_ref().map(|m| m.id),
            zone,
            now: self.services.clock.now(),
        }
    }

    /// A button press opens the form it stands for, or runs its command (Verify, Claim, a
    /// Yes or No); an expired or forged id changes nothing.
    async fn component(&self, component: &ComponentInteraction) -> Reply {
        let Some(Target::Button(kind)) = self.ids.decode(&component.data.custom_id) else {
            tracing::info!("expired or forged component id");
            return Reply::only(message_response(
                &messages::expired(),
                Visibility::Ephemeral,
            ));
        };
        let Some(form_target) = Target::form_of(&kind) else {
            let mut reply = self.run_button(component, &kind).await;
            if matches!(kind, ActionKind::Answer { .. }) {
                // The answer replaces the question and its buttons.
                reply.response["type"] = json!(response_type::UPDATE_MESSAGE);
                if let Some(data) = reply.response["data"].as_object_mut() {
                    data.remove("flags");
                    data.insert("components".into(), json!([]));
                }
            }
            return reply;
        };
        let (id, cohort, prefill) = match &form_target {
            FormTarget::CheckIn { cohort, period } => {
                match self.check_prompt(component, cohort, period).await {
                    Ok(prefill) => (FormId::Checkin, Some(cohort.clone()), prefill),
                    Err(message) => {
                        return Reply::only(message_response(&message, Visibility::Ephemeral));
                    }
                }
            }
            FormTarget::Reply { .. } => (FormId::Reply, None, Vec::new()),
            FormTarget::Changes { .. } => (FormId::MilestoneChanges, None, Vec::new()),
            // A button that opens a command's form (**Answer** on a question).
            FormTarget::Command { form, context } => {
                let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
                let caller = match self
                    .caller(component.guild_id, &component.user, nick, DmHint::default())
                    .await
                {
                    Ok(caller) => caller,
                    Err(message) => {
                        return Reply::only(message_response(&message, Visibility::Ephemeral));
                    }
                };
                let context = FormTarget::context_pairs(context);
                return self
                    .open_command_form(&caller, forms::form(*form), context, Vec::new())
                    .await;
            }
        };
        let custom_id = self.ids.encode(&Target::Form(form_target));
        Reply::only(json!({
            "type": response_type::MODAL,
            "data": modals::modal(form(id), &custom_id, cohort.as_deref(), &prefill),
        }))
    }

    /// A button that needs no form (**Verify**, **Claim**): the same as typing its command,
    /// so the services decide whether this member may do it.
    async fn run_button(&self, component: &ComponentInteraction, kind: &ActionKind) -> Reply {
        let Some((command, raw)) = crate::commands::actions::direct(kind) else {
            return Reply::only(message_response(
                &messages::expired(),
                Visibility::Ephemeral,
            ));
        };
        let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
        let hint = match kind {
            ActionKind::VerifyMilestone { handle, .. }
            | ActionKind::CircleRequest { handle, .. } => DmHint {
                other_user: Some(handle),
                ..DmHint::default()
            },
            ActionKind::Answer { question, .. } => DmHint {
                question: Some(question),
                ..DmHint::default()
            },
            _ => DmHint::default(),
        };
        let caller = match self
            .caller(component.guild_id, &component.user, nick, hint)
            .await
        {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        let raw: Vec<(String, String)> = raw.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let spec = catalog::spec(command);
        self.invoke(caller, spec, &raw, component.id.to_string())
            .await
    }

    async fn modal(&self, modal: &ModalInteraction) -> Reply {
        let target = self.ids.decode(&modal.data.custom_id);
        let nick = modal.member.as_ref().and_then(|m| m.nick.as_deref());
        let fields = modal_fields(modal);
        let (spec, raw, hint) = match &target {
            Some(Target::Form(FormTarget::CheckIn { cohort, period })) => {
                let mut raw = fields;
                raw.push(("cohort".to_owned(), cohort.clone()));
                // The check-in service takes the answer only while the prompt's week is open.
                raw.push(("week".to_owned(), period.clone()));
                let hint = DmHint {
                    cohort: Some(cohort),
                    ..DmHint::default()
                };
                (catalog::spec(CommandId::Checkin), raw, hint)
            }
            Some(Target::Form(FormTarget::Reply { handle, .. })) => {
                let mut raw = fields;
                raw.push(("learner".to_owned(), handle.clone()));
                let hint = DmHint {
                    other_user: Some(handle),
                    ..DmHint::default()
                };
                (catalog::spec(CommandId::CheckinReply), raw, hint)
            }
            Some(Target::Form(FormTarget::Changes { handle, module })) => {
                let mut raw = fields;
                raw.push(("learner".to_owned(), handle.clone()));
                raw.push(("module".to_owned(), module.clone()));
                let hint = DmHint {
                    other_user: Some(handle),
                    ..DmHint::default()
                };
                (catalog::spec(CommandId::MilestoneChanges), raw, hint)
            }
            Some(Target::Form(FormTarget::Command { form, context })) => {
                let mut raw = fields;
                raw.extend(FormTarget::context_pairs(context));
                (
                    catalog::spec(forms::form(*form).command),
                    raw,
                    DmHint::default(),
                )
            }
            _ => {
                tracing::info!("expired or forged modal id");
                return Reply::only(message_response(
                    &messages::form_expired(),
                    Visibility::Ephemeral,
                ));
            }
        };
        let caller = match self.caller(modal.guild_id, &modal.user, nick, hint).await {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        self.invoke(caller, spec, &raw, modal.id.to_string()).await
    }

    /// A **Check in** button opens its form only for this member's prompt of a week still
    /// open; the answer is what to pre-fill.
    async fn check_prompt(
        &self,
        component: &ComponentInteraction,
        cohort: &str,
        period: &str,
    ) -> Result<crate::services::checkins::button::Prefill, Message> {
        let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
        let hint = DmHint {
            cohort: Some(cohort),
            ..DmHint::default()
        };
        let caller = self
            .caller(component.guild_id, &component.user, nick, hint)
            .await?;
        crate::services::checkins::button::check(&self.services, &caller, cohort, period).await
    }
}

impl Handler {
    /// A deferral for interactions whose answer may need the services (type 5, or 6 for a
    /// Yes/No answer, which edits the question); `None` for those answered at once (PING,
    /// autocomplete, a button opening a modal).
    fn deferral(&self, interaction: &Interaction) -> Option<Value> {
        let visibility = match interaction {
            Interaction::Command(command) => {
                let (spec, options) = resolve(command).ok()?;
                // A form must be the first answer: no deferral may come before it.
                let given: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
                if forms::opened_by(spec.id, &given).is_some() {
                    return None;
                }
                let shared = options.iter().any(|o| {
                    o.name == SHARE && matches!(o.value, CommandDataOptionValue::Boolean(true))
                });
                spec.visibility_for(shared)
            }
            Interaction::Modal(_) => Visibility::Ephemeral,
            Interaction::Component(component) => {
                return match self.ids.decode(&component.data.custom_id)? {
                    Target::Button(ActionKind::Answer { .. }) => {
                        Some(json!({ "type": response_type::DEFERRED_UPDATE }))
                    }
                    Target::Button(kind) if Target::form_of(&kind).is_none() => Some(json!({
                        "type": response_type::DEFERRED_MESSAGE,
                        "data": with_visibility(json!({}), Visibility::Ephemeral),
                    })),
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

pub(super) fn with_visibility(mut data: Value, visibility: Visibility) -> Value {
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
