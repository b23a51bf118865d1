//! go-yaml's map key order (`keyList.Less`) for string keys: letters compare
//! as runes, runs of digits compare as numbers, letters sort after
//! non-letters. v3 refined the digit/letter boundary, so both are kept.

use super::resolve::Flavor;
use crate::strconv::{is_digit, is_letter};

/// Go's arithmetic on a rune that `unicode.IsDigit` accepted: `r - '0'`,
/// which for non-ASCII digits is a large number, exactly as Go computes it.
fn digit_value(c: char) -> i64 {
    c as i64 - '0' as i64
}

/// `keyList.Less(a, b)` for two string keys.
pub fn less(a: &str, b: &str, flavor: Flavor) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    let n = ar.len().min(br.len());
    for i in 0..n {
        if ar[i] == br[i] {
            digits = is_digit(ar[i]);
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            if flavor == Flavor::V3 && digits {
                return al;
            }
            return bl;
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Sorts keys in go-yaml's order.
///
/// Go runs `sort.Sort`, whose pdqsort falls back to insertion sort for up
/// to 12 elements; that is reproduced exactly. Larger maps use a merge sort,
/// which gives the same result whenever `Less` is a consistent order (it is
/// for distinct keys in practice) and, unlike `slice::sort_by`, can never
/// panic on an inconsistent one.
pub fn sort_keys<T>(items: &mut Vec<(String, T)>, flavor: Flavor) {
    if items.len() <= 12 {
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && less(&items[j].0, &items[j - 1].0, flavor) {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let taken = std::mem::take(items);
    *items = merge_sort(taken, flavor);
}

fn merge_sort<T>(mut v: Vec<(String, T)>, flavor: Flavor) -> Vec<(String, T)> {
    if v.len() <= 1 {
        return v;
    }
    let right = v.split_off(v.len() / 2);
    let left = merge_sort(v, flavor);
    let right = merge_sort(right, flavor);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_right = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => less(&b.0, &a.0, flavor),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_right { r.next() } else { l.next() };
        out.extend(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str], flavor: Flavor) -> Vec<String> {
        let mut items: Vec<(String, ())> = keys.iter().map(|k| (k.to_string(), ())).collect();
        sort_keys(&mut items, flavor);
        items.into_iter().map(|(k, _)| k).collect()
    }

    // Orders printed by Helm's toYaml and toYamlPretty for the `ordering`
    // values in testdata/charts/yamljson.
    const HELM_ORDER: &[&str] = &[
        "-1", "_x", "~", "1.5", "1.9", "1.10", "01", "001", "9", "10", "B", "Z", "a-1", "a-9",
        "a-10", "a~", "a1", "a01", "a001", "a2", "a10", "b", "img099", "img100", "img0100",
        "v1.9.0", "v1.10.0", "x_", "x9y20", "x10y2", "x10y10", "z", "é",
    ];

    #[test]
    fn order_matches_helm() {
        let mut shuffled: Vec<&str> = HELM_ORDER.to_vec();
        shuffled.reverse();
        shuffled.rotate_left(7);
        assert_eq!(sorted(&shuffled, Flavor::V2), HELM_ORDER);
        assert_eq!(sorted(&shuffled, Flavor::V3), HELM_ORDER);
        // Small maps take the insertion-sort path.
        assert_eq!(
            sorted(&["a10", "a2", "a1", "10", "9"], Flavor::V2),
            ["9", "10", "a1", "a2", "a10"]
        );
    }

    #[test]
    fn v2_order_is_not_transitive_with_letters_after_digits() {
        // a1b < a2 < a10 < a1b: why Helm prints such maps in random order.
        assert!(less("a1b", "a2", Flavor::V2));
        assert!(less("a2", "a10", Flavor::V2));
        assert!(less("a10", "a1b", Flavor::V2));
        // v3 puts the letter first after a shared digit.
        assert!(less("a1b", "a10", Flavor::V3));
    }
}
