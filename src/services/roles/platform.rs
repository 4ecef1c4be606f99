//! Program roles that follow a platform's own roles (Discord roles mapped in
//! `[discord.roles]`): what an admin changed there becomes the program's role.

use anyhow::Context;
use serde_json::json;
use uuid::Uuid;

use crate::domain::Role;
use crate::services::{ServiceResult, Services};
use crate::store::{self, audit, members::Member};

/// What the platform showed of one member: every platform role id they hold now.
pub struct HeldRoles<'a> {
    pub community_id: Uuid,
    pub member: &'a Member,
    /// The platform role ids the member holds.
    pub held: &'a [String],
    /// Program role → the platform role id mapped to it.
    pub mapped: &'a [(Role, String)],
}

impl Services {
    /// Keeps the mapped program roles (community-wide only; cohort roles stay the program's
    /// business) in step with what the platform shows: a mapped role added there grants the
    /// program role, one removed revokes it. Only a change seen there changes the program:
    /// the first showing grants but never revokes, so a role the program gave is not taken
    /// away because the member never had the platform's role. Roles, audit rows and what was
    /// seen change together or not at all.
    pub async fn platform_roles_seen(&self, seen: HeldRoles<'_>, via: &str) -> ServiceResult<()> {
        let now = self.clock.now();
        let (community_id, member) = (seen.community_id, seen.member);
        let mut tx = self.pool.begin().await?;
        let before = store::discord::seen_roles(&mut *tx, member.id).await?;
        let had = |id: &String| before.as_ref().map(|ids| ids.contains(id));
        for (role, platform_role) in seen.mapped {
            let has = seen.held.contains(platform_role);
            let changed = match (has, had(platform_role)) {
                (true, Some(true)) | (false, None | Some(false)) => false,
                (true, _) => {
                    store::roles::grant(&mut *tx, community_id, member.id, *role, None, None, now)
                        .await?
                }
                (false, Some(true)) => {
                    store::roles::revoke(&mut tx, member.id, *role, None).await?
                }
            };
            if changed {
                let action = if has { "role.grant" } else { "role.revoke" };
                let detail =
                    json!({ "member": member.platform_user_id, "role": role.as_str(), "via": via });
                audit::record(&mut *tx, community_id, Some(member.id), action, detail, now).await?;
            }
        }
        store::discord::save_seen_roles(&mut *tx, member.id, seen.held, now).await?;
        tx.commit()
            .await
            .context("committing roles seen on the platform")?;
        Ok(())
    }
}
