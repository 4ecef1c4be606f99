//! What the web pages say when they cannot serve what was asked.

pub const NO_SUCH_BADGE: &str = "no such badge\n";
pub const BADGE_ERASED: &str =
    "This badge was revoked: its holder's data was erased at their request.\n";
pub const NO_SUCH_ISSUER: &str = "no such issuer\n";
pub const NO_SUCH_ACHIEVEMENT: &str = "no such achievement\n";
pub const BADGE_UNAVAILABLE: &str = "badge unavailable\n";
pub const NO_SUCH_CALENDAR: &str = "no such calendar\n";
pub const CALENDAR_UNAVAILABLE: &str = "calendar unavailable\n";
/// Credentials name their issuer by URL and are signed; a URL taken from the request's
/// Host header could be anyone's, so nothing is published until the address is configured.
pub const NOT_PUBLISHED: &str = "Badge credentials are not published yet: a steward must set \
http.public_url (this bot's public address) so that credentials can name their issuer. \
The badge page itself works now.\n";
pub const METRICS_TOKEN_NEEDED: &str =
    "metrics need the bearer token set in metrics.token (Authorization: Bearer …)\n";
pub const NO_SUCH_EXPORT: &str = "This export link is unknown or has expired (links work for 15 minutes). Ask for a new one with /stats export.\n";
pub const EXPORT_UNAVAILABLE: &str = "export unavailable\n";
pub const NO_SUCH_DASHBOARD: &str = "This dashboard link is unknown, or a steward replaced it with a new one. Ask a steward or a sponsor for the current link (/dashboard link).\n";
pub const DASHBOARD_UNAVAILABLE: &str =
    "The dashboard could not be drawn just now; try again in a minute.\n";
pub const NO_SUCH_DATA_EXPORT: &str = "This link to your data is unknown or has expired (links work for an hour). Ask for a new one with /me data export.\n";
