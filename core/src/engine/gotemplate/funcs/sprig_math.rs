//! Sprig's float math. `addf`, `subf`, `mulf` and `divf` go through exact
//! decimals (shopspring/decimal in Sprig), so `addf 0.1 0.2` is `0.3`, not
//! `0.30000000000000004`; `round`, `maxf`, `minf` and `toDecimal` are plain.

use super::sprig::to_float64;
use super::{FuncTable, Param, add, add_var, i};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::Value;

/// shopspring/decimal's default `DivisionPrecision`.
const DIVISION_PRECISION: u32 = 16;

/// An exact decimal: `mantissa × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// The shortest decimal that reads back as `f` (shopspring's `NewFromFloat`).
    fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        let s = format!("{:e}", f);
        let (mant, exp) = s.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        let frac_len = digits.len() as i32 - 1;
        let mut mantissa: i128 = digits.parse().ok()?;
        if neg {
            mantissa = -mantissa;
        }
        // value = digits × 10^(exp - frac_len)
        let shift = exp - frac_len;
        if shift >= 0 {
            mantissa = mantissa.checked_mul(10i128.checked_pow(shift as u32)?)?;
            Some(Decimal { mantissa, scale: 0 })
        } else {
            Some(Decimal {
                mantissa,
                scale: (-shift) as u32,
            })
        }
    }

    fn rescale(self, scale: u32) -> Option<i128> {
        self.mantissa
            .checked_mul(10i128.checked_pow(scale.checked_sub(self.scale)?)?)
    }

    fn add(self, o: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(o.scale);
        Some(Decimal {
            mantissa: self.rescale(scale)?.checked_add(o.rescale(scale)?)?,
            scale,
        })
    }

    fn sub(self, o: Decimal) -> Option<Decimal> {
        self.add(Decimal {
            mantissa: o.mantissa.checked_neg()?,
            scale: o.scale,
        })
    }

    fn mul(self, o: Decimal) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(o.mantissa)?,
            scale: self.scale.checked_add(o.scale)?,
        })
    }

    /// Division rounded (half away from zero) to `DIVISION_PRECISION` places.
    fn div(self, o: Decimal) -> Option<Decimal> {
        if o.mantissa == 0 {
            return None;
        }
        // q = self / o at scale P+1, then round to P.
        let target = DIVISION_PRECISION + 1;
        let num_scale = target.checked_add(o.scale)?;
        let num = if num_scale >= self.scale {
            self.mantissa
                .checked_mul(10i128.checked_pow(num_scale - self.scale)?)?
        } else {
            self.mantissa / 10i128.checked_pow(self.scale - num_scale)?
        };
        let q = num / o.mantissa;
        let rounded = if q >= 0 { (q + 5) / 10 } else { (q - 5) / 10 };
        Some(Decimal {
            mantissa: rounded,
            scale: DIVISION_PRECISION,
        })
    }

    /// The nearest float (`Float64()`).
    fn to_f64(self) -> f64 {
        format!("{}e-{}", self.mantissa, self.scale)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

type Op = fn(Decimal, Decimal) -> Option<Decimal>;

/// Sprig's `execDecimalOp`, falling back to float arithmetic when a value
/// does not fit the exact representation.
fn decimal_op(first: f64, rest: &[Value], op: Op, float_op: fn(f64, f64) -> f64) -> Value {
    let mut acc = Decimal::from_f64(first);
    let mut approx = first;
    for v in rest {
        let x = to_float64(v);
        approx = float_op(approx, x);
        acc = acc.and_then(|a| Decimal::from_f64(x).and_then(|d| op(a, d)));
    }
    Value::Float(acc.map(Decimal::to_f64).unwrap_or(approx))
}

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add_var(t, "addf", &[], Any, |_, a| {
        Ok(decimal_op(0.0, &a, Decimal::add, |x, y| x + y))
    });
    add(t, "add1f", &[Any], |_, a| {
        Ok(decimal_op(
            to_float64(&a[0]),
            &[Value::Int(1)],
            Decimal::add,
            |x, y| x + y,
        ))
    });
    add_var(t, "subf", &[Any], Any, |_, a| {
        Ok(decimal_op(
            to_float64(&a[0]),
            &a[1..],
            Decimal::sub,
            |x, y| x - y,
        ))
    });
    add_var(t, "mulf", &[Any], Any, |_, a| {
        Ok(decimal_op(
            to_float64(&a[0]),
            &a[1..],
            Decimal::mul,
            |x, y| x * y,
        ))
    });
    add_var(t, "divf", &[Any], Any, |_, a| {
        if a[1..].iter().any(|v| to_float64(v) == 0.0) {
            return Err(GoError::plain("decimal division by 0"));
        }
        Ok(decimal_op(
            to_float64(&a[0]),
            &a[1..],
            Decimal::div,
            |x, y| x / y,
        ))
    });
    add_var(t, "maxf", &[Any], Any, |_, a| {
        Ok(Value::Float(
            a.iter().map(to_float64).fold(f64::NEG_INFINITY, f64::max),
        ))
    });
    add_var(t, "minf", &[Any], Any, |_, a| {
        Ok(Value::Float(
            a.iter().map(to_float64).fold(f64::INFINITY, f64::min),
        ))
    });
    add_var(t, "round", &[Any, Int], Float, |_, a| {
        let round_on = match a.get(2) {
            Some(Value::Float(f)) => *f,
            _ => 0.5,
        };
        let pow = 10f64.powf(i(&a[1]) as f64);
        let digit = pow * to_float64(&a[0]);
        let r = if digit.fract() >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::Float(r / pow))
    });
    add(t, "toDecimal", &[Any], |_, a| {
        let s = crate::engine::gotemplate::fmt::format_v(&a[0]);
        Ok(Value::Int64(i64::from_str_radix(&s, 8).unwrap_or(0)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(f: f64) -> Decimal {
        Decimal::from_f64(f).unwrap()
    }

    #[test]
    fn decimal_arithmetic_is_exact() {
        assert_eq!(d(0.1).add(d(0.2)).unwrap().to_f64(), 0.3);
        assert_eq!(d(1.1).mul(d(3.0)).unwrap().to_f64(), 3.3);
        assert_eq!(d(10.0).div(d(3.0)).unwrap().to_f64(), 3.3333333333333335);
        assert_eq!(d(1e20).sub(d(1.0)).unwrap().to_f64(), 1e20);
        assert_eq!(d(-2.5).div(d(2.0)).unwrap().to_f64(), -1.25);
    }
}
