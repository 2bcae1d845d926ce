//! The fuzz targets' shared code: the checks, and settings made once per process.

#[path = "checks.rs"]
mod checks;

pub use checks::*;

use cors_lint::lint::Settings;
use std::sync::OnceLock;

/// [`checks::settings`] with an empty directory of this process as nginx's prefix.
pub fn fuzz_settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cors-lint-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        checks::settings(&dir)
    })
}
