//! `credential`: what the embedded Data Integrity proof costs a request for a credential's
//! JSON, `GET /badges/<id>.json`: the `eddsa-rdfc-2022` proof made (two JSON-LD
//! expansions, two RDFC-1.0 canonicalizations, one Ed25519 signature) and checked, as
//! `/verify` does, with a mentor's 3,995-character narrative (CJK, emoji, quotes, mentions) in the credential. No
//! database: the document is built as the route builds it.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use cohortbot::services::badges::{credential, integrity};
use cohortbot::store::milestones::Badge;
use ed25519_dalek::SigningKey;

use super::{Size, ms, percentile, progress, row, utc};

static RUNS: Size = Size::new(200, 5);

fn badge() -> Badge {
    Badge {
        id: uuid::Uuid::from_u128(1),
        name: "Flow Starter".into(),
        issued_at: utc(2027, 3, 10, 9, 0, 0),
        revoked_at: None,
        revoked_reason: None,
        member_id: uuid::Uuid::from_u128(2),
        member_name: "María Torres".into(),
        module_slug: "flows-101".into(),
        module_name: "Your first cloud flow".into(),
        cohort_slug: "spring-makers-2027".into(),
        cohort_name: "Spring Makers 2027".into(),
        community_slug: "acme-makers".into(),
        community_name: "Acme Citizen Developers".into(),
        evidence_url: "https://example.org/flows-101".into(),
        narrative: Some("「申請フロー」を自動化🚀 *expenses* \"quoted\" <@&555> @here ".repeat(85)),
        holder_erased: false,
    }
}

pub async fn scenario() -> Result<()> {
    let base = "https://bot.example.org";
    let document = credential::open_badge(base, &badge());
    let key = SigningKey::from_bytes(&[7; 32]);
    let method = format!("{base}/issuers/acme-makers/keys/1/multikey");
    let created = utc(2027, 3, 10, 9, 0, 0);
    progress(format!(
        "credential: proving and verifying {} times",
        RUNS.n()
    ));
    let (mut proving, mut verifying) = (Vec::new(), Vec::new());
    for _ in 0..RUNS.n() {
        let started = Instant::now();
        let proved = integrity::prove(&document, &key, &method, created)?;
        proving.push(started.elapsed());
        let started = Instant::now();
        ensure!(integrity::verifies(&proved, &key.verifying_key())?);
        verifying.push(started.elapsed());
    }
    for (what, mut times) in [
        ("made (`GET /badges/<id>.json`)", proving),
        ("checked (`/verify`)", verifying),
    ] {
        times.sort();
        let median: Duration = percentile(&times, 0.5);
        row(
            format!(
                "A credential's eddsa-rdfc-2022 proof {what}, with a 3,995-character narrative ({} runs, release build)",
                times.len()
            ),
            format!(
                "median {}, p95 {}",
                ms(median),
                ms(percentile(&times, 0.95))
            ),
            "— (no target)".to_owned(),
        );
    }
    Ok(())
}
