//! Named partials of handlebars charts.
//!
//! A partial file (`templates/_*.hbs` or `templates/_*.tpl`) holds any number
//! of named partials, each an inline block, the way a Go chart's
//! `_helpers.tpl` holds `{{define}}` blocks:
//!
//! ```text
//! {{#*inline "mychart.labels"}}
//! app: {{Chart.Name}}
//! release: {{Release.Name}}
//! {{/inline}}
//! ```
//!
//! Every block is registered globally under its name, so any template of the
//! release can call it with `{{include "mychart.labels" this}}` or
//! `{{> mychart.labels}}`. Text outside the blocks is ignored, as Go ignores
//! text outside `{{define}}` in a partial.

use handlebars::template::{Parameter, Template, TemplateElement};

/// One named partial found in a partial file.
#[derive(Debug)]
pub struct NamedPartial {
    /// The name given to `{{#*inline "..."}}`.
    pub name: String,
    /// The block's compiled body. Its line numbers are those of the file.
    pub template: Template,
}

/// Extracts the inline blocks of a compiled partial file.
pub fn named_partials(file: Template) -> Result<Vec<NamedPartial>, String> {
    let mut out = Vec::new();
    for (index, element) in file.elements.into_iter().enumerate() {
        let TemplateElement::DecoratorBlock(block) = element else {
            continue;
        };
        if block.name.as_name() != Some("inline") {
            continue;
        }
        let line = file.mapping.get(index).map(|m| m.0).unwrap_or(0);
        let name = match block.params.first() {
            Some(Parameter::Literal(handlebars::JsonValue::String(s))) => s.clone(),
            _ => {
                return Err(format!(
                    "line {line}: an inline partial needs a quoted name, as in {{{{#*inline \"name\"}}}}"
                ));
            }
        };
        let mut template = block.template.unwrap_or_default();
        template.name = Some(name.clone());
        out.push(NamedPartial { name, template });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_inline_block() {
        let src = "ignored text\n{{#*inline \"a.one\"}}A{{x}}{{/inline}}\n{{! comment }}\n{{#*inline \"b\"}}\nB\n{{/inline}}\n";
        let t = Template::compile(src).unwrap();
        let parts = named_partials(t).unwrap();
        let names: Vec<_> = parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["a.one", "b"]);
        assert_eq!(parts[0].template.name.as_deref(), Some("a.one"));
    }

    #[test]
    fn unnamed_block_is_an_error() {
        let t = Template::compile("{{#*inline x}}A{{/inline}}").unwrap();
        assert!(named_partials(t).unwrap_err().contains("quoted name"));
    }
}
