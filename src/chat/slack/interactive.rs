//! Buttons and modals: **Check in** and **Reply** open a form whose submission becomes the
//! same catalog command a user could type; yes/no buttons answer the services' questions.

use serde_json::{Value, json};

use super::app::SlackApp;
use super::{messages, verify};
use crate::commands::bind::bind;
use crate::commands::forms::{FormId, FormSpec, form};
use crate::commands::{Args, Visibility, catalog};
use crate::render::slack::escape;
use crate::render::slack::{
    ANSWER_ACTION, BLOCKER_ACTION, CHECK_IN_ACTION, CIRCLE_ACTION, FORM_ACTION,
    MILESTONE_CHANGES_ACTION, MILESTONE_VERIFY_ACTION, REPLY_ACTION, REVIEW_CLAIM_ACTION,
    RUN_ACTION,
};
use crate::render::{ActionKind, Message};
use crate::services::checkins::button as checkin_button;
use crate::services::messages::button_not_valid;
use crate::services::{Caller, Invocation, knowledge};
use crate::store;

use super::messages::SAVE_TO_KB_CALLBACK;
use super::views::{
    self, CHECKIN as CHECKIN_VIEW, CHECKIN_CONFIRM as CHECKIN_CONFIRM_VIEW,
    COMMAND_FORM as COMMAND_FORM_VIEW, MILESTONE_CHANGES as MILESTONE_CHANGES_VIEW,
    REPLY as REPLY_VIEW,
};

impl SlackApp {
    /// Answers an interaction payload: a body for `view_submission`, `None` otherwise.
    pub async fn interaction(&self, payload: Value) -> Option<Value> {
        let app = self.clone();
        let work = async move {
            match payload["type"].as_str() {
                Some("block_actions") => {
                    app.block_action(&payload).await;
                    None
                }
                Some("view_submission") => Some(app.view_submission(&payload).await),
                Some("message_action") => {
                    app.message_action(&payload).await;
                    None
                }
                other => {
                    tracing::debug!(kind = ?other, "Slack interaction ignored");
                    None
                }
            }
        };
        // A late modal answer has nowhere to go: Slack has closed the request.
        self.within_budget(work, |late: Option<Value>| async move {
            if late.is_some() {
                tracing::warn!("a modal submission was answered too late for Slack");
            }
        })
        .await
        .flatten()
    }

    async fn block_action(&self, payload: &Value) {
        let team = team_id(payload);
        let user = payload["user"]["id"].as_str().unwrap_or_default();
        let response_url = payload["response_url"].as_str().unwrap_or_default();
        let action = &payload["actions"][0];
        let value = action["value"].as_str().unwrap_or_default();
        let trigger = payload["trigger_id"].as_str().unwrap_or_default();
        let bodies = match action["action_id"].as_str().unwrap_or_default() {
            MILESTONE_VERIFY_ACTION
            | REVIEW_CLAIM_ACTION
            | BLOCKER_ACTION
            | CIRCLE_ACTION
            | RUN_ACTION => {
                let reply = self.run_button(team, user, value, trigger).await;
                self.reply_bodies(None, &reply, Visibility::Ephemeral).await
            }
            CHECK_IN_ACTION | REPLY_ACTION | MILESTONE_CHANGES_ACTION | FORM_ACTION => {
                match self.open_form(team, user, value, trigger).await {
                    Ok(()) => return,
                    Err(message) => {
                        self.reply_bodies(None, &message, Visibility::Ephemeral)
                            .await
                    }
                }
            }
            // The answer replaces the question and its buttons.
            ANSWER_ACTION => {
                let reply = self.run_button(team, user, value, trigger).await;
                let mut bodies = self.reply_bodies(None, &reply, Visibility::Ephemeral).await;
                for body in &mut bodies {
                    body["replace_original"] = json!(true);
                }
                bodies
            }
            other => {
                tracing::debug!(action = other, "Slack action ignored");
                return;
            }
        };
        let channel = payload["channel"]["id"].as_str().unwrap_or_default();
        match (response_url.is_empty(), channel.is_empty()) {
            (false, _) => self.respond_all(response_url, &bodies).await,
            // A button in a view with a channel (a modal opened from one).
            (true, false) => self.post_ephemeral(channel, user, &bodies).await,
            // A button on the Home tab has neither: the answer goes to the app's DM, where
            // the member reads everything else the bot tells them.
            (true, true) => self.post_to_app_dm(user, &bodies).await,
        }
    }

    /// Opens the form a button stands for, after checking the button against the database.
    async fn open_form(
        &self,
        team: &str,
        user: &str,
        value: &str,
        trigger: &str,
    ) -> Result<(), Message> {
        let (caller, _) = self.caller(team, user, None).await?;
        let Ok(kind) = serde_json::from_str::<ActionKind>(value) else {
            tracing::warn!(team, "button with an unreadable value");
            return Err(button_not_valid());
        };
        let view = match kind {
            ActionKind::CheckIn { cohort, period } => {
                let prefill =
                    checkin_button::check(self.services(), &caller, &cohort, &period).await?;
                let metadata = json!({ "k": CHECKIN_VIEW, "u": user, "cohort": cohort,
                                       "period": period });
                let name =
                    store::cohorts::by_slug(&self.services().pool, caller.community_id, &cohort)
                        .await
                        .map_err(|e| internal(e.into()))?
                        .map_or_else(|| cohort.clone(), |c| c.name);
                let intro = messages::checkin_intro(&escape(&name), &escape(&period));
                views::modal(
                    form(FormId::Checkin),
                    &intro,
                    &prefill,
                    verify::seal(self.seal_key(), &metadata),
                )
            }
            ActionKind::ReplyToCheckin { handle, period } => {
                let learner = store::members::find(
                    &self.services().pool,
                    caller.community_id,
                    "slack",
                    &handle,
                )
                .await
                .map_err(|e| internal(e.into()))?;
                if learner.is_none() {
                    tracing::warn!(team, "reply button for an unknown learner");
                    return Err(button_not_valid());
                }
                let metadata =
                    json!({ "k": REPLY_VIEW, "u": user, "handle": handle, "period": period });
                let intro = messages::reply_intro(&handle, &escape(&period));
                views::modal(
                    form(FormId::Reply),
                    &intro,
                    &[],
                    verify::seal(self.seal_key(), &metadata),
                )
            }
            ActionKind::RequestMilestoneChanges { handle, module } => {
                if !crate::render::slack::is_slack_id(&handle) {
                    tracing::warn!(team, "changes button for an unknown learner");
                    return Err(button_not_valid());
                }
                let metadata = json!({ "k": MILESTONE_CHANGES_VIEW, "u": user,
                                       "handle": handle, "module": module });
                let intro = messages::changes_intro(&handle, &escape(&module));
                views::modal(
                    form(FormId::MilestoneChanges),
                    &intro,
                    &[],
                    verify::seal(self.seal_key(), &metadata),
                )
            }
            // Need no form: `block_action` runs them at once.
            ActionKind::Form {
                form: code,
                context,
            } => {
                let Some(id) = FormId::from_code(&code) else {
                    tracing::warn!(team, "form button for an unknown form");
                    return Err(button_not_valid());
                };
                return self
                    .open_command_form(&caller, user, trigger, form(id), context, Vec::new())
                    .await;
            }
            ActionKind::VerifyMilestone { .. }
            | ActionKind::ClaimReview { .. }
            | ActionKind::Answer { .. }
            | ActionKind::Blocker { .. }
            | ActionKind::CircleRequest { .. }
            | ActionKind::CircleJoin { .. }
            | ActionKind::Run { .. } => {
                return Err(button_not_valid());
            }
        };
        if let Err(err) = self.api().open_view(trigger, &view).await {
            tracing::error!(error = %err, "views.open failed");
            return Err(crate::services::messages::internal_error());
        }
        Ok(())
    }

    /// A form a command opened (`/cohort kb add faq`), carrying the options it was typed
    /// with in its sealed metadata; the edit form shows the entry as it is, once the
    /// caller may edit it.
    pub(super) async fn open_command_form(
        &self,
        caller: &Caller,
        user: &str,
        trigger: &str,
        form: &'static FormSpec,
        context: Vec<(String, String)>,
        mut prefill: Vec<(&'static str, String)>,
    ) -> Result<(), Message> {
        if let Some(current) = self.services().open_form(caller, form.id, &context).await? {
            prefill = current;
        }
        let context_value = |name: &str| {
            context
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value.as_str())
                .unwrap_or_default()
        };
        let intro = match form.id {
            FormId::KbEdit => messages::kb_edit_intro(&escape(context_value("entry"))),
            FormId::KbDecide => messages::kb_decide_intro(),
            FormId::KbAnswer => messages::kb_answer_intro(&escape(context_value("question"))),
            FormId::KbSearch => messages::kb_search_intro(),
            FormId::PairRequest => messages::pair_request_intro(),
            FormId::Feedback => messages::feedback_intro(
                &escape(context_value("session")),
                &escape(context_value("rating")),
            ),
            FormId::SurveyAnswer => messages::survey_answer_intro(
                &escape(context_value("survey")),
                &escape(context_value("score")),
            ),
            FormId::ApprovalRequest => messages::approval_request_intro(
                &escape(context_value("kind")),
                &escape(context_value("data")),
            ),
            FormId::ApprovalReject => {
                messages::approval_reject_intro(&escape(context_value("request")))
            }
            FormId::ToolRegister => messages::tool_register_intro(
                &escape(context_value("name")),
                &escape(context_value("kind")),
            ),
            FormId::ConcernReport => messages::concern_report_intro(
                &escape(context_value("category")),
                &escape(context_value("mode")),
            ),
            FormId::ConcernReply => {
                messages::concern_reply_intro(&escape(context_value("concern")))
            }
            FormId::BadgeIssue => messages::badge_issue_intro(&escape(context_value("module"))),
            _ => messages::kb_add_intro(),
        };
        let metadata = json!({ "k": views::callback_id(form.id), "u": user,
                               "form": form.id.code(), "fixed": context });
        let view = views::modal(
            form,
            &intro,
            &prefill,
            verify::seal(self.seal_key(), &metadata),
        );
        if let Err(err) = self.api().open_view(trigger, &view).await {
            tracing::error!(error = %err, "views.open failed");
            return Err(crate::services::messages::internal_error());
        }
        Ok(())
    }

    /// The **Save to knowledge base** message shortcut: the add form, filled with the
    /// message and its permalink.
    async fn message_action(&self, payload: &Value) {
        if payload["callback_id"] != SAVE_TO_KB_CALLBACK {
            tracing::debug!("Slack shortcut ignored");
            return;
        }
        let team = team_id(payload);
        let user = payload["user"]["id"].as_str().unwrap_or_default();
        let trigger = payload["trigger_id"].as_str().unwrap_or_default();
        let response_url = payload["response_url"].as_str().unwrap_or_default();
        let opened = async {
            let (caller, _) = self.caller(team, user, None).await?;
            let text = super::text::plain(payload["message"]["text"].as_str().unwrap_or_default());
            let link = permalink(payload);
            let prefill = knowledge::saved_message(&text, &link);
            let context = vec![("kind".to_owned(), "faq".to_owned())];
            self.open_command_form(
                &caller,
                user,
                trigger,
                form(FormId::KbAdd),
                context,
                prefill,
            )
            .await
        };
        if let Err(message) = opened.await {
            let bodies = self
                .reply_bodies(None, &message, Visibility::Ephemeral)
                .await;
            self.respond_all(response_url, &bodies).await;
        }
    }

    async fn view_submission(&self, payload: &Value) -> Value {
        let team = team_id(payload);
        let user = payload["user"]["id"].as_str().unwrap_or_default();
        let view = &payload["view"];
        let callback = view["callback_id"].as_str().unwrap_or_default();
        let metadata = verify::open(
            self.seal_key(),
            view["private_metadata"].as_str().unwrap_or_default(),
        )
        .filter(|m| m["u"] == user && m["k"] == callback);
        let Some(metadata) = metadata else {
            tracing::warn!(
                team,
                callback,
                "view submission with forged or foreign metadata"
            );
            return result_view(callback, None, &messages::form_not_valid());
        };
        let view_id = view["id"].as_str().unwrap_or_default();
        let (caller, _) = match self.caller(team, user, None).await {
            Ok(found) => found,
            Err(message) => return result_view(callback, Some(&metadata), &message),
        };
        match callback {
            CHECKIN_VIEW => self.submit_checkin(caller, &metadata, view, view_id).await,
            CHECKIN_CONFIRM_VIEW => self.confirm_checkin(caller, &metadata, view_id).await,
            REPLY_VIEW => {
                let fixed = [("learner", str_of(&metadata, "handle"))];
                self.submit_form(caller, FormId::Reply, &fixed, view, view_id)
                    .await
            }
            MILESTONE_CHANGES_VIEW => {
                let fixed = [
                    ("learner", str_of(&metadata, "handle")),
                    ("module", str_of(&metadata, "module")),
                ];
                self.submit_form(caller, FormId::MilestoneChanges, &fixed, view, view_id)
                    .await
            }
            COMMAND_FORM_VIEW => {
                let Some(id) = FormId::from_code(str_of(&metadata, "form")) else {
                    return result_view(callback, None, &messages::form_not_valid());
                };
                let spec = catalog::spec(form(id).command);
                let context: Vec<(String, String)> =
                    serde_json::from_value(metadata["fixed"].clone()).unwrap_or_default();
                // Names as the catalog spells them; the metadata is sealed, so any other
                // name would be a bug, and binding would refuse it anyway.
                let fixed: Vec<(&'static str, &str)> = context
                    .iter()
                    .filter_map(|(name, value)| spec.option(name).map(|o| (o.name, value.as_str())))
                    .collect();
                self.submit_form(caller, id, &fixed, view, view_id).await
            }
            _ => result_view(callback, None, &messages::form_not_valid()),
        }
    }

    async fn submit_checkin(
        &self,
        caller: Caller,
        metadata: &Value,
        view: &Value,
        view_id: &str,
    ) -> Value {
        let cohort = metadata["cohort"].as_str().unwrap_or_default();
        let period = metadata["period"].as_str().unwrap_or_default();
        let checkin = form(FormId::Checkin);
        let spec = catalog::spec(checkin.command);
        let typed = views::submitted(checkin, view);
        let mut raw: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
        raw.push(("cohort", cohort));
        // The check-in service takes the answer only while the prompt's week is open.
        raw.push(("week", period));
        let args = match bind_submitted(checkin, &raw) {
            Ok(args) => args,
            Err(answer) => return answer,
        };
        let community = caller.community_id;
        let mut invocation = Invocation::new(caller, spec, args);
        invocation.delivery_id = Some(format!("slack:view:{view_id}"));
        let outcome = self.services().handle(invocation).await;
        let text = self.mrkdwn(community, &outcome.reply).await;
        // A question ("replace this week's check-in?") becomes a view whose submit says yes;
        // it carries the question's id only.
        if let Some(question) = &outcome.question {
            let sealed = verify::seal(
                self.seal_key(),
                &json!({ "k": CHECKIN_CONFIRM_VIEW, "u": metadata["u"], "cohort": cohort,
                         "period": period, "q": question }),
            );
            return json!({ "response_action": "update", "view": views::confirm_replace(&text, sealed) });
        }
        json!({ "response_action": "update", "view": views::done(checkin.title, &text) })
    }

    /// The replace-it view's submit: yes to the check-in's question.
    async fn confirm_checkin(&self, caller: Caller, metadata: &Value, view_id: &str) -> Value {
        let spec = catalog::spec(crate::commands::CommandId::Yes);
        let raw = [("question", str_of(metadata, "q"))];
        let Ok(args) = bind(spec, &raw) else {
            return result_view(CHECKIN_CONFIRM_VIEW, None, &messages::form_not_valid());
        };
        let community = caller.community_id;
        let mut invocation = Invocation::new(caller, spec, args);
        invocation.delivery_id = Some(format!("slack:view:{view_id}:yes"));
        let outcome = self.services().handle(invocation).await;
        let text = self.mrkdwn(community, &outcome.reply).await;
        json!({ "response_action": "update", "view": views::done(form(FormId::Checkin).title, &text) })
    }

    /// A form whose submit runs its command with `fixed` options from the sealed metadata
    /// plus the typed fields (the reply, the change request).
    async fn submit_form(
        &self,
        caller: Caller,
        id: FormId,
        fixed: &[(&'static str, &str)],
        view: &Value,
        view_id: &str,
    ) -> Value {
        let form = form(id);
        let spec = catalog::spec(form.command);
        let typed = views::submitted(form, view);
        let mut raw: Vec<(&str, &str)> = fixed.to_vec();
        raw.extend(typed.iter().map(|(k, v)| (*k, v.as_str())));
        let args = match bind_submitted(form, &raw) {
            Ok(args) => args,
            Err(answer) => return answer,
        };
        let community = caller.community_id;
        let mut invocation = Invocation::new(caller, spec, args);
        invocation.delivery_id = Some(format!("slack:view:{view_id}"));
        let outcome = self.services().handle(invocation).await;
        let text = self.mrkdwn(community, &outcome.reply).await;
        json!({ "response_action": "update", "view": views::done(form.title, &text) })
    }

    /// A button that needs no form (**Verify**, **Claim**): the same as typing its command,
    /// so the services decide whether this member may do it.
    async fn run_button(&self, team: &str, user: &str, value: &str, trigger: &str) -> Message {
        let (caller, _) = match self.caller(team, user, None).await {
            Ok(found) => found,
            Err(message) => return message,
        };
        let direct = serde_json::from_str::<ActionKind>(value)
            .ok()
            .and_then(|kind| crate::commands::actions::direct(&kind));
        let Some((command, raw)) = direct else {
            tracing::warn!(team, "button with an unreadable value");
            return button_not_valid();
        };
        let spec = catalog::spec(command);
        let raw: Vec<(&str, &str)> = raw.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let Ok(args) = bind(spec, &raw) else {
            return button_not_valid();
        };
        let mut invocation = Invocation::new(caller, spec, args);
        invocation.delivery_id = Some(format!("slack:action:{trigger}"));
        self.services().handle(invocation).await.reply
    }

    async fn mrkdwn(&self, community: uuid::Uuid, message: &Message) -> String {
        self.render(community, message)
            .await
            .into_iter()
            .flat_map(|m| m.blocks)
            .filter_map(|b| b["text"]["text"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

fn internal(err: anyhow::Error) -> Message {
    tracing::error!(error = %format!("{err:#}"), "Slack interaction failed");
    crate::services::messages::internal_error()
}

/// A message's permalink, as Slack forms them: the workspace's domain, the channel, and the
/// message's timestamp without its dot. A message shortcut's payload carries all three, so
/// no `chat.getPermalink` call has to fit in the trigger's three seconds.
fn permalink(payload: &Value) -> String {
    let domain = payload["team"]["domain"].as_str().unwrap_or_default();
    let channel = payload["channel"]["id"].as_str().unwrap_or_default();
    let ts = payload["message"]["ts"]
        .as_str()
        .or_else(|| payload["message_ts"].as_str())
        .unwrap_or_default()
        .replace('.', "");
    format!("https://{domain}.slack.com/archives/{channel}/p{ts}")
}

fn team_id(payload: &Value) -> &str {
    payload["team"]["id"]
        .as_str()
        .or_else(|| payload["user"]["team_id"].as_str())
        .unwrap_or_default()
}

/// Binds a submitted form's values with the shared binder, or answers the submit with why
/// not: Slack shows each problem under its field. A problem with an option the form has no
/// field for could not be shown there (Slack would leave the form open with no reason), so
/// the form is answered with it as the command's reply instead.
fn bind_submitted(form: &'static FormSpec, raw: &[(&str, &str)]) -> Result<Args, Value> {
    let spec = catalog::spec(form.command);
    bind(spec, raw).map_err(|errors| {
        if let Some(unshown) = errors
            .iter()
            .find(|e| !form.field_names().any(|name| name == e.field))
        {
            tracing::warn!(
                form = form.id.code(),
                option = %unshown.field,
                "Slack form submitted without an option it has no field for"
            );
            let text = crate::render::slack::mrkdwn(&unshown.for_command(spec), &|_| None);
            return json!({ "response_action": "update", "view": views::done(form.title, &text) });
        }
        let by_field: serde_json::Map<String, Value> = errors
            .iter()
            // Slack shows field errors as plain text: code marks would show as backticks.
            .map(|e| {
                let said = crate::render::plain::render_unmarked(&e.for_field());
                (e.field.clone(), json!(said))
            })
            .collect();
        json!({ "response_action": "errors", "errors": by_field })
    })
}

/// A view telling the user why nothing happened, titled as the form they submitted
/// (a command form names itself in its sealed `metadata`, when that could be opened).
fn result_view(callback: &str, metadata: Option<&Value>, message: &Message) -> Value {
    let title = match callback {
        REPLY_VIEW => form(FormId::Reply).title,
        MILESTONE_CHANGES_VIEW => form(FormId::MilestoneChanges).title,
        COMMAND_FORM_VIEW => metadata
            .and_then(|m| FormId::from_code(str_of(m, "form")))
            .map_or(messages::APP_TITLE, |id| form(id).title),
        _ => form(FormId::Checkin).title,
    };
    let text = crate::render::slack::mrkdwn(message, &|_| None);
    json!({ "response_action": "update", "view": views::done(title, &text) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submit_missing_an_option_its_form_has_no_field_for_is_answered_not_marked() {
        let add = form(FormId::KbAdd);
        // No kind: only a stale or altered view carries that. Slack cannot show an error on
        // a `kind` block the form does not have, so the form is answered instead.
        let answer = bind_submitted(add, &[("title", "Proxy"), ("body", "Use it.")]).unwrap_err();
        assert_eq!(answer["response_action"], "update");
        assert_eq!(answer["view"]["title"]["text"], "Add to knowledge base");
        assert_eq!(
            answer["view"]["blocks"][0]["text"]["text"],
            "Missing `kind`: one of faq, playbook, decision, clinic_note. Usage: `/cohort kb add &lt;kind&gt; &lt;title&gt; &lt;body…&gt; [tags:…] [id:…] [visibility:…] [cohort:…] [every:…]`"
        );
        // A problem with the form's own field stays under that field.
        let answer = bind_submitted(add, &[("kind", "faq"), ("title", "Proxy")]).unwrap_err();
        assert_eq!(
            answer,
            json!({ "response_action": "errors", "errors": { "body": "Please fill in body." } })
        );
        assert!(
            bind_submitted(
                add,
                &[("kind", "faq"), ("title", "Proxy"), ("body", "Use it.")]
            )
            .is_ok()
        );
    }
}
