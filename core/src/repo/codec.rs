//! The fast cache's binary layout: length-prefixed UTF-8 strings in a
//! fixed field order, so loading 30,000 entries is a sequence of copies
//! rather than a JSON parse. Any inconsistency reads as "no cache" and the
//! caller falls back to the YAML.

use super::index::{ChartVersion, IndexFile};

const MAGIC: &[u8; 8] = b"HOISTIX2";

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_list(out: &mut Vec<u8>, l: &[String]) {
    out.extend_from_slice(&(l.len() as u32).to_le_bytes());
    for s in l {
        put_str(out, s);
    }
}

/// Encodes `index` after a caller-chosen `stamp` (opaque bytes).
pub fn encode(stamp: &[u8], index: &IndexFile) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    out.extend_from_slice(stamp);
    put_str(&mut out, &index.api_version);
    out.extend_from_slice(&(index.entries.len() as u32).to_le_bytes());
    for (name, versions) in &index.entries {
        put_str(&mut out, name);
        out.extend_from_slice(&(versions.len() as u32).to_le_bytes());
        for v in versions {
            for s in [
                &v.name,
                &v.version,
                &v.app_version,
                &v.description,
                &v.api_version,
                &v.chart_type,
                &v.digest,
                &v.created,
            ] {
                put_str(&mut out, s);
            }
            put_list(&mut out, &v.keywords);
            put_list(&mut out, &v.urls);
            out.push(u8::from(v.deprecated));
        }
    }
    out
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn u32(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    fn list(&mut self) -> Option<Vec<String>> {
        let n = self.u32()?;
        (0..n).map(|_| self.string()).collect()
    }
}

/// Decodes what [`encode`] wrote; `None` on any mismatch. Returns the stamp
/// bytes and the index.
pub fn decode(data: &[u8]) -> Option<(Vec<u8>, IndexFile)> {
    let mut r = Reader { data, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let n = r.u32()?;
    let stamp = r.take(n)?.to_vec();
    let mut index = IndexFile {
        api_version: r.string()?,
        ..IndexFile::default()
    };
    let charts = r.u32()?;
    for _ in 0..charts {
        let name = r.string()?;
        let count = r.u32()?;
        let mut versions = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            versions.push(ChartVersion {
                name: r.string()?,
                version: r.string()?,
                app_version: r.string()?,
                description: r.string()?,
                api_version: r.string()?,
                chart_type: r.string()?,
                digest: r.string()?,
                created: r.string()?,
                keywords: r.list()?,
                urls: r.list()?,
                deprecated: r.take(1)?[0] != 0,
            });
        }
        index.entries.insert(name, versions);
    }
    (r.pos == data.len()).then_some((stamp, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_damage() {
        let yaml = b"apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, keywords: [x, y], urls: [a.tgz], deprecated: true, description: \"\xc3\xa9t\xc3\xa9\"}\n  b: []\n";
        let index = IndexFile::parse(yaml, "t").unwrap();
        let bytes = encode(b"stamp", &index);
        let (stamp, back) = decode(&bytes).unwrap();
        assert_eq!(stamp, b"stamp");
        assert_eq!(back, index);
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(decode(&extra).is_none());
        assert!(decode(b"HOISTIX1").is_none());
    }
}
