//! `hoist package --sign` and `hoist verify` end to end: signing, each way a
//! verification fails, and interop with Helm-format provenance files (one
//! made from a Helm-packaged archive, fixtures in tests/fixtures/provenance).

use hoist_e2e::{Run, fixture, hoist_in};
use std::path::{Path, PathBuf};
use std::process::Command;

const TGZ: &str = "signme-1.2.3+build.7.tgz";

fn fx(name: &str) -> String {
    fixture("provenance").join(name).display().to_string()
}

/// miette wraps long messages and draws a margin: undo both.
fn flat(r: &Run) -> String {
    r.stderr
        .replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Packages the fixture chart into `dir`, signed by `key` from `secring`.
fn package_signed(dir: &Path, key: &str, secring: &str, extra: &[&str]) -> Run {
    let chart = fx("signme");
    let dest = dir.display().to_string();
    let ring = fx(secring);
    let mut args = vec![
        "package",
        &chart,
        "-d",
        &dest,
        "--sign",
        "--key",
        key,
        "--keyring",
        &ring,
    ];
    args.extend_from_slice(extra);
    hoist_in(dir, &args)
}

fn verify(dir: &Path, archive: &Path, keyring: &str) -> Run {
    let ring = fx(keyring);
    hoist_in(
        dir,
        &["verify", archive.to_str().unwrap(), "--keyring", &ring],
    )
}

fn signed(dir: &Path) -> PathBuf {
    let r = package_signed(dir, "signer@hoist.test", "signer-secring.gpg", &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    dir.join(TGZ)
}

#[test]
fn signed_package_verifies_with_binary_and_armored_keyrings() {
    let dir = tempfile::tempdir().unwrap();
    let archive = signed(dir.path());
    let prov = std::fs::read_to_string(dir.path().join(format!("{TGZ}.prov"))).unwrap();
    assert!(prov.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"));
    for ring in ["pubring.gpg", "pubring.asc"] {
        let r = verify(dir.path(), &archive, ring);
        assert_eq!(r.code, 0, "{ring}: {}", r.stderr);
        assert!(
            r.stdout
                .contains("Signed by: Hoist Test Signer <signer@hoist.test>"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("Using Key With Fingerprint: "));
        assert!(r.stdout.contains("Chart Hash Verified: sha256:"));
    }
}

#[test]
fn passphrase_file_unlocks_a_protected_key() {
    let dir = tempfile::tempdir().unwrap();
    let pass = fx("locked.pass");
    let r = package_signed(
        dir.path(),
        "locked@hoist.test",
        "locked-secring.gpg",
        &["--passphrase-file", &pass],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = verify(dir.path(), &dir.path().join(TGZ), "pubring.gpg");
    assert!(v.stdout.contains("Hoist Locked Key"), "{}", v.stdout);
    let without = package_signed(dir.path(), "locked@hoist.test", "locked-secring.gpg", &[]);
    assert_ne!(without.code, 0);
    assert!(
        flat(&without).contains("protected by a passphrase"),
        "{}",
        without.stderr
    );
}

#[test]
fn helm_made_provenance_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join(TGZ);
    std::fs::copy(fx(&format!("helm/{TGZ}")), &archive).unwrap();
    std::fs::copy(
        fx(&format!("helm/{TGZ}.prov")),
        dir.path().join(format!("{TGZ}.prov")),
    )
    .unwrap();
    let r = verify(dir.path(), &archive, "pubring.gpg");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Signed by: Hoist Test Signer"),
        "{}",
        r.stdout
    );
}

#[test]
fn each_tampering_fails_with_its_own_message() {
    let dir = tempfile::tempdir().unwrap();
    let archive = signed(dir.path());
    let prov_path = dir.path().join(format!("{TGZ}.prov"));
    let good_prov = std::fs::read_to_string(&prov_path).unwrap();
    let good_archive = std::fs::read(&archive).unwrap();
    let check = |expect: &str| {
        let r = verify(dir.path(), &archive, "pubring.gpg");
        assert_ne!(r.code, 0, "{expect}: verification should fail");
        let msg = flat(&r);
        assert!(msg.contains(expect), "expected {expect:?} in: {msg}");
    };

    // Wrong hash written into the .prov after signing.
    let hash_line = good_prov.lines().find(|l| l.contains(": sha256:")).unwrap();
    let hex = hash_line.rsplit("sha256:").next().unwrap();
    std::fs::write(&prov_path, good_prov.replace(hex, &"0".repeat(64))).unwrap();
    check("the .prov was modified after signing");

    // Signed by a key that is not in the keyring.
    let other = tempfile::tempdir().unwrap();
    package_signed(other.path(), "other@hoist.test", "other-secring.gpg", &[]);
    std::fs::copy(other.path().join(format!("{TGZ}.prov")), &prov_path).unwrap();
    std::fs::copy(other.path().join(TGZ), &archive).unwrap();
    check("which is not in keyring");

    // Archive altered after signing.
    std::fs::write(&prov_path, &good_prov).unwrap();
    let mut altered = good_archive.clone();
    altered.extend_from_slice(b"\0");
    std::fs::write(&archive, &altered).unwrap();
    check("the chart archive was altered after signing");

    // Malformed .prov.
    std::fs::write(&archive, &good_archive).unwrap();
    std::fs::write(&prov_path, "files:\n  x.tgz: sha256:00\n").unwrap();
    check("is malformed");

    // Missing .prov.
    std::fs::remove_file(&prov_path).unwrap();
    check("could not load provenance file");

    // And the untouched pair still verifies.
    std::fs::write(&prov_path, &good_prov).unwrap();
    assert_eq!(verify(dir.path(), &archive, "pubring.gpg").code, 0);
}

#[test]
fn our_provenance_verifies_under_helms_rules_with_gnupg() {
    // Helm verifies the clear signature, then compares the archive's sha256
    // with the `files:` entry for its base name. GnuPG checks the first part
    // independently of rpgp; the second is done here as Helm does it.
    if !hoist_e2e::tool_available("gpg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let archive = signed(dir.path());
    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str]| {
        Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--no-tty"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(gpg(&["--import", &fx("pubring.gpg")]).status.success());
    let prov = dir.path().join(format!("{TGZ}.prov"));
    let out = gpg(&["--verify", prov.to_str().unwrap()]);
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "all"])
        .status();
    assert!(
        out.status.success(),
        "gpg --verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Good signature"));
    let text = std::fs::read_to_string(&prov).unwrap();
    let body = text.split("\n...\n").nth(1).unwrap();
    let sum = hoist_core::chart::package::sha256_hex(&std::fs::read(&archive).unwrap());
    assert!(
        body.starts_with(&format!("files:\n  {TGZ}: sha256:{sum}\n")),
        "{body}"
    );
}

/// `install --verify` and `upgrade --verify` on the local API server: a
/// signed archive installs; an altered one or one without its .prov is
/// refused before anything is written.
#[test]
fn install_and_upgrade_verify_provenance_first() {
    if hoist_e2e::cluster::cluster("install_and_upgrade_verify_provenance_first").is_none() {
        return;
    }
    let ns = hoist_e2e::cluster::fresh_namespace("hoist-verify");
    let dir = tempfile::tempdir().unwrap();
    let archive = signed(dir.path());
    let archive_arg = archive.to_str().unwrap().to_string();
    let ring = fx("pubring.gpg");
    let run = |verb: &str, extra: &[&str]| {
        let mut args = vec![verb, "sig", archive_arg.as_str(), "-n", ns.as_str()];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--verify", "--keyring", ring.as_str()]);
        hoist_in(dir.path(), &args)
    };

    // Altered archive: refused, nothing installed.
    let good = std::fs::read(&archive).unwrap();
    let mut altered = good.clone();
    altered.extend_from_slice(b"\0");
    std::fs::write(&archive, &altered).unwrap();
    let r = run("install", &["--create-namespace"]);
    assert_ne!(r.code, 0);
    assert!(flat(&r).contains("altered after signing"), "{}", flat(&r));
    let r = hoist_in(dir.path(), &["status", "sig", "-n", &ns]);
    assert_ne!(r.code, 0, "nothing may be installed: {}", r.stdout);

    // The untouched pair installs, and upgrades with --verify too.
    std::fs::write(&archive, &good).unwrap();
    let r = run("install", &["--create-namespace"]);
    assert_eq!(r.code, 0, "{}", flat(&r));
    let r = run("upgrade", &["--set", "x=1"]);
    assert_eq!(r.code, 0, "{}", flat(&r));

    // Without its .prov, --verify refuses the upgrade.
    std::fs::remove_file(dir.path().join(format!("{TGZ}.prov"))).unwrap();
    let r = run("upgrade", &["--set", "x=2"]);
    assert_ne!(r.code, 0);
    assert!(flat(&r).contains("provenance"), "{}", flat(&r));
    let history = hoist_in(dir.path(), &["history", "sig", "-n", &ns, "-o", "json"]);
    let revisions: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    assert_eq!(revisions.as_array().unwrap().len(), 2);
}

/// `template --verify` checks the provenance as install does, with no
/// cluster: a signed archive renders, an altered one is refused.
#[test]
fn template_verify_checks_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let archive = signed(dir.path());
    let archive_arg = archive.to_str().unwrap().to_string();
    let ring = fx("pubring.gpg");
    let args = [
        "template",
        "sig",
        archive_arg.as_str(),
        "--verify",
        "--keyring",
        ring.as_str(),
    ];
    let r = hoist_in(dir.path(), &args);
    assert_eq!(r.code, 0, "{}", flat(&r));
    assert!(r.stdout.contains("kind:"), "{}", r.stdout);
    let mut altered = std::fs::read(&archive).unwrap();
    altered.extend_from_slice(b"\0");
    std::fs::write(&archive, &altered).unwrap();
    let r = hoist_in(dir.path(), &args);
    assert_ne!(r.code, 0);
    assert!(flat(&r).contains("altered after signing"), "{}", flat(&r));
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}
