//! Which platforms' delivery is held (an open circuit), for `/healthz` and operators.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Shared by every gate of the process; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct DeliveryHealth {
    held: Arc<Mutex<BTreeMap<&'static str, String>>>,
}

impl DeliveryHealth {
    /// `Some(reason)` while `platform`'s delivery is held, `None` once it flows again.
    pub fn set(&self, platform: &'static str, held: Option<String>) {
        let mut map = self.held.lock().unwrap_or_else(|p| p.into_inner());
        match held {
            Some(reason) => map.insert(platform, reason),
            None => map.remove(platform),
        };
    }

    /// `(platform, reason)` for every platform whose delivery is held now.
    pub fn held(&self) -> Vec<(&'static str, String)> {
        let map = self.held.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(p, r)| (*p, r.clone())).collect()
    }
}
