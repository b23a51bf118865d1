//! Sprig's random functions. Charts use `randAlphaNum` and friends to make
//! passwords, so they draw from the operating system's CSPRNG, as Sprig does
//! with `crypto/rand`.

use super::{FuncTable, Param, add, i, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::Value;
use base64::Engine as _;

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";

fn random_bytes(n: usize) -> Result<Vec<u8>, GoError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| GoError::plain(format!("random source: {e}")))?;
    Ok(buf)
}

/// A uniform index below `n` (rejection sampling, no modulo bias).
fn uniform(n: usize) -> Result<usize, GoError> {
    let n = n as u64;
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let b = random_bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        let v = u64::from_le_bytes(a);
        if v < zone {
            return Ok((v % n) as usize);
        }
    }
}

fn random_from(alphabet: &[u8], count: i64) -> Result<Value, GoError> {
    crate::engine::gotemplate::limits::check_string(count.max(0) as u128)?;
    let mut out = String::new();
    for _ in 0..count.max(0) {
        out.push(alphabet[uniform(alphabet.len())?] as char);
    }
    Ok(Value::Str(out))
}

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "randAlphaNum", &[Int], |_, a| {
        random_from(&[ALPHA, DIGITS].concat(), i(&a[0]))
    });
    add(t, "randAlpha", &[Int], |_, a| random_from(ALPHA, i(&a[0])));
    add(t, "randNumeric", &[Int], |_, a| {
        random_from(DIGITS, i(&a[0]))
    });
    add(t, "randAscii", &[Int], |_, a| {
        let printable: Vec<u8> = (32u8..=126).collect();
        random_from(&printable, i(&a[0]))
    });
    add(t, "randBytes", &[Int], |_, a| {
        let n = i(&a[0]).max(0);
        crate::engine::gotemplate::limits::check_string(n as u128 * 4 / 3 + 4)?;
        let b = random_bytes(n as usize)?;
        Ok(Value::Str(
            base64::engine::general_purpose::STANDARD.encode(b),
        ))
    });
    add(t, "randInt", &[Int, Int], |_, a| {
        let (lo, hi) = (i(&a[0]), i(&a[1]));
        if hi <= lo {
            return Err(GoError::plain("invalid argument to Intn"));
        }
        Ok(Value::Int(lo + uniform((hi - lo) as usize)? as i64))
    });
    add(t, "uuidv4", &[], |_, _| {
        let mut b = random_bytes(16)?;
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        Ok(Value::Str(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )))
    });
    add(t, "shuffle", &[Str], |_, a| {
        let mut chars: Vec<char> = s(&a[0]).chars().collect();
        for k in (1..chars.len()).rev() {
            let j = uniform(k + 1)?;
            chars.swap(k, j);
        }
        Ok(Value::Str(chars.into_iter().collect()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_strings_have_the_right_alphabet_and_length() {
        let Value::Str(v) = random_from(DIGITS, 12).unwrap() else {
            panic!()
        };
        assert_eq!(v.len(), 12);
        assert!(v.bytes().all(|b| b.is_ascii_digit()));
        let a = random_from(ALPHA, 32).unwrap();
        let b = random_from(ALPHA, 32).unwrap();
        assert_ne!(a.as_str(), b.as_str());
    }
}
