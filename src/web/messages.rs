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

/// What `/verify` says. Values put into these are HTML-escaped by the page.
pub mod verify {
    pub const TITLE: &str = "Check a badge";
    pub const LABEL: &str = "Paste the credential: its JSON (which starts with {), the text of its .jwt file (which starts with eyJ), or its badge link:";
    pub const BUTTON: &str = "Check it";
    pub const HELP: &str = "The signature or embedded proof is checked against the issuer's published key, even one the issuer has since replaced, and the badge's status is read as it is now. Nothing you paste is kept.";
    pub const UNAVAILABLE: &str = "The check could not be done just now; try again in a minute.\n";
    pub const ERASED: &str = "<strong>Not valid</strong>: this badge was revoked because its holder's data was erased at their request.";
    pub const BAD_SIGNATURE: &str = "<strong>Not valid</strong>: the signature does not match the issuer's key, so the credential was changed or forged.";
    pub const UNKNOWN_KEY: &str = "<strong>Not valid here</strong>: it names a signing key this site does not publish, so it was not issued here.";
    pub const UNKNOWN_BADGE: &str = "<strong>Not valid</strong>: it is signed by this issuer, but names no badge the issuer gave.";
    pub const UNSIGNED: &str = "That JSON carries no proof to check. Paste the credential as its badge's address serves it (the address followed by .json), or its .jwt form.";
    pub const UNREADABLE_JSON_LD: &str = "<strong>Not valid here</strong>: its JSON-LD uses a context or term this site never signs with, so it was not issued here, or was changed.";
    pub const NOT_A_CREDENTIAL: &str = "That is not a credential: paste its JSON (starting with {) or its .jwt text (three parts joined by dots, starting with eyJ).";
    pub const FOREIGN_LINK: &str = "That link is not to a badge of this site, so there is nothing here to look up. Paste the credential itself: its JSON (starting with {) or its .jwt text.";
    pub const UNKNOWN_LINK: &str = "<strong>Not found</strong>: no badge this issuer gave has that link. Check it was copied whole.";
    pub const NOT_PUBLISHED: &str = "Credentials are not published yet: this bot has no public address (http.public_url), so nothing it signed names an issuer to check.";

    pub fn holding(badge: &str, holder: &str, issuer: &str, issued: &str) -> String {
        format!(
            "<strong>{badge}</strong>, awarded to <strong>{holder}</strong> by {issuer} on {issued}"
        )
    }

    pub fn rsa_key(version: i32) -> String {
        format!("RSA key {version} (RS256)")
    }

    pub fn ed25519_key(version: i32) -> String {
        format!("key {version}")
    }

    pub fn embedded_proof_key(version: i32) -> String {
        format!("key {version} (embedded Data Integrity proof)")
    }

    pub fn valid(holding: &str, key: &str) -> String {
        format!(
            "<strong>Valid</strong>: {holding}. Signed with the issuer's {key}, and not revoked."
        )
    }

    pub fn on_record(holding: &str) -> String {
        format!(
            "<strong>Valid</strong>: {holding}, and not revoked, as the issuer's record at that link says now. To check a copy someone sent you, paste its JSON or .jwt text: its signature is checked too."
        )
    }

    pub fn revoked(holding: &str, reason: &str) -> String {
        format!("<strong>Revoked</strong>: {holding}; revoked since, because: {reason}")
    }
}
