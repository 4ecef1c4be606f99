//! Links the `cohortbot` binary with packed relative relocations (DT_RELR, glibc 2.36 and
//! binutils 2.38 or later, as on Debian 12). A position-independent binary carries one
//! relocation record per pointer in its read-only data (61,000 of them, 1.4 MiB), which
//! the loader reads at every start and which then stays resident; packed, they take a few
//! kilobytes. The binary stays position-independent (ASLR is kept). Only the binaries are
//! linked this way: tests and benches link as before.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
