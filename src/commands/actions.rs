//! What a button does when it needs no form: the catalog command it stands for, with its
//! options as typed text. Adapters convert those like typed options, so a button can do
//! nothing its presser could not type, and the services check permissions as usual.

use super::CommandId;
use crate::render::ActionKind;

/// The command a button runs at once; `None` for buttons that open a form first.
pub fn direct(kind: &ActionKind) -> Option<(CommandId, Vec<(&'static str, String)>)> {
    match kind {
        ActionKind::VerifyMilestone { handle, module } => Some((
            CommandId::MilestoneVerify,
            vec![("learner", handle.clone()), ("module", module.clone())],
        )),
        ActionKind::ClaimReview { number } => {
            Some((CommandId::ReviewClaim, vec![("id", number.to_string())]))
        }
        ActionKind::Answer { question, yes } => Some((
            if *yes { CommandId::Yes } else { CommandId::No },
            vec![("question", question.clone())],
        )),
        ActionKind::Blocker { cohort, resolved } => Some((
            if *resolved {
                CommandId::CheckinResolved
            } else {
                CommandId::CheckinStuck
            },
            vec![("cohort", cohort.clone())],
        )),
        ActionKind::CircleRequest {
            circle,
            handle,
            approve,
        } => Some((
            if *approve {
                CommandId::CircleApprove
            } else {
                CommandId::CircleDecline
            },
            vec![("circle", circle.clone()), ("member", handle.clone())],
        )),
        ActionKind::CircleJoin { circle } => {
            Some((CommandId::CircleJoin, vec![("circle", circle.clone())]))
        }
        // Only the command's own options are kept: a button cannot add what its command
        // would not take.
        ActionKind::Run { command, options } => {
            let spec = super::catalog::find(command)?;
            let options = options
                .iter()
                .filter_map(|(name, value)| Some((spec.option(name)?.name, value.clone())))
                .collect();
            Some((spec.id, options))
        }
        ActionKind::CheckIn { .. }
        | ActionKind::ReplyToCheckin { .. }
        | ActionKind::RequestMilestoneChanges { .. }
        | ActionKind::Form { .. } => None,
    }
}
