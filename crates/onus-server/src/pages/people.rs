//! Who did what, by name, for the pages that show it (the audit log, the
//! access requests).

use std::collections::HashMap;

use onus_store::{StoreError, TenantData};

/// Names of the people a page shows, looked up once each.
pub struct People(HashMap<String, String>);

impl People {
    /// The tenant's members by name, and every other of `actors` (platform
    /// staff under a grant, members since removed) looked up in the store.
    pub async fn of(data: &TenantData, actors: &[&str]) -> Result<People, StoreError> {
        let mut names: HashMap<String, String> = data
            .members()
            .await?
            .into_iter()
            .map(|m| (m.user_id, m.name))
            .collect();
        for &actor in actors {
            if names.contains_key(actor) {
                continue;
            }
            let name = match data.store().user(actor).await? {
                Some(u) if u.is_platform_staff() => format!("{} (platform staff)", u.name),
                Some(u) => u.name,
                None => format!("user {actor} (deleted)"),
            };
            names.insert(actor.to_string(), name);
        }
        Ok(People(names))
    }

    /// The name of who acted (`None`: the portal itself).
    pub fn name(&self, actor: Option<&str>) -> String {
        match actor {
            None => "the portal".to_string(),
            Some(u) => self.0.get(u).cloned().unwrap_or_default(),
        }
    }
}
