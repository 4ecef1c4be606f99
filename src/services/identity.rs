//! Resolves who is calling: the community and the member, created on first contact.

use anyhow::Context;

use super::{Caller, ServiceResult, Services, refuse};
use crate::domain::{Role, clean_line};
use crate::render::Message;
use crate::store::{audit, communities, members, roles};

/// Longest platform user id or shell handle.
const USER_ID_MAX: usize = 80;

impl Services {
    /// The caller for a shell user in the community with `community_slug`, creating the member.
    pub async fn shell_caller(&self, community_slug: &str, user_id: &str) -> ServiceResult<Caller> {
        let user_id = clean_line("user", user_id.trim_start_matches('@'), USER_ID_MAX)
            .map_err(|e| super::ServiceError::User(Message::marked(&e.to_string())))?;
        if user_id.contains(char::is_whitespace) {
            return refuse(
                Message::new()
                    .text("A shell user name is one word, like ")
                    .code("bob")
                    .text("."),
            );
        }
        let mut tx = self.pool.begin().await?;
        let community = communities::by_slug(&mut *tx, community_slug)
            .await?
            .with_context(|| format!("community `{community_slug}` (shell.community) does not exist; import a program file that defines it"))?;
        // A new shell member is named after the handle until they say otherwise.
        let existing = members::find(&mut *tx, community.id, "shell", &user_id).await?;
        let member = match existing {
            Some(member) => member,
            None => {
                members::ensure(
                    &mut *tx,
                    community.id,
                    "shell",
                    &user_id,
                    &user_id,
                    self.clock.now(),
                )
                .await?
            }
        };
        tx.commit().await?;
        Ok(Caller {
            community_id: community.id,
            community_slug: community.slug,
            member,
        })
    }

    /// Gives the caller a role directly: the shell's `/as NAME --role ROLE`, for local trials.
    pub async fn shell_grant(&self, caller: &Caller, role: Role) -> ServiceResult<bool> {
        let mut tx = self.pool.begin().await?;
        let now = self.clock.now();
        let granted = roles::grant(
            &mut *tx,
            caller.community_id,
            caller.member.id,
            role,
            None,
            None,
            now,
        )
        .await?;
        if granted {
            let detail = serde_json::json!({ "member": caller.member.platform_user_id, "role": role.as_str(), "via": "shell" });
            audit::record(
                &mut *tx,
                caller.community_id,
                Some(caller.member.id),
                "role.grant",
                detail,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(granted)
    }
}
