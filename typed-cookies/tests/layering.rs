//! The layering of `typed-cookies/src`, enforced.
//!
//! `lib.rs` declares the order of the crate's top-level modules in one comment line,
//! `// layering: clock < wire < … < development`: a module may use (`crate::…`) only modules
//! declared before it, and itself. This test reads every `crate::` path in the sources (use
//! lines, grouped uses, paths in expressions; `$crate` in macros is the user's side and not
//! read), resolves names the crate root re-exports to the module they come from, and fails on
//! any import that runs up the order, on a module the line does not declare, and on a line
//! that is missing. A strict order has no cycles between modules, so none can come back.
//!
//! Comments are not code: a line (or the rest of a line) after `//` is skipped.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The declared order: the modules of the `// layering:` line of lib.rs, lowest first.
fn declared_order(lib: &str) -> Vec<String> {
    let line = lib
        .lines()
        .find_map(|line| line.trim().strip_prefix("// layering:"))
        .expect("lib.rs declares its module order in a `// layering: a < b < …` line");
    line.split('<').map(|name| name.trim().to_owned()).collect()
}

/// Code without comments: what follows `//` on a line is dropped (a `//` inside a string
/// literal would be dropped too; the crate's sources have none before a `crate::` path).
fn without_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn leading_ident(text: &str) -> &str {
    let end = text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len());
    &text[..end]
}

/// The first segment of each path in a `{…}` group starting at `text[0] == '{'`.
fn group_heads(text: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut item_start = true;
    for (at, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    item_start = true;
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                item_start = true;
                continue;
            }
            _ => {}
        }
        if depth == 1 && item_start && !c.is_whitespace() {
            item_start = false;
            let head = leading_ident(&text[at..]);
            if !head.is_empty() {
                heads.push(head.to_owned());
            }
        }
    }
    heads
}

/// `(line number, first path segment)` of every `crate::` path in `code`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident_char(c) || c == '$') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        if rest.starts_with('{') {
            found.extend(group_heads(rest).into_iter().map(|head| (line, head)));
        } else {
            found.push((line, leading_ident(rest).to_owned()));
        }
    }
    found
}

/// Names `lib.rs` re-exports (`pub use module::…::Name`), mapped to their module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let code = without_comments(lib);
    let mut names = BTreeMap::new();
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(path) = statement.strip_prefix("pub use ") else {
            continue;
        };
        let module = leading_ident(path).to_owned();
        let leaves = path
            .split(['{', '}', ','])
            .filter_map(|part| part.rsplit("::").next())
            .map(|leaf| match leaf.split(" as ").nth(1) {
                Some(alias) => alias.trim(),
                None => leaf.trim(),
            })
            .filter(|leaf| !leaf.is_empty() && *leaf != "self");
        for leaf in leaves {
            names.insert(leaf.to_owned(), module.clone());
        }
    }
    names
}

/// Macros a file exports (`#[macro_export] macro_rules! name`): they live at the crate root
/// whatever file defines them, so a path to one names no module.
fn exported_macros(code: &str) -> Vec<String> {
    code.split("#[macro_export]")
        .skip(1)
        .filter_map(|after| after.trim_start().strip_prefix("macro_rules!"))
        .map(|rest| leading_ident(rest.trim_start()).to_owned())
        .collect()
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn imports_only_point_down_the_declared_order() {
    let src = src_dir();
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let order = declared_order(&lib);
    let rank = |module: &str| order.iter().position(|name| name == module);
    let reexports = root_reexports(&lib);

    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let macros: Vec<String> = files
        .iter()
        .flat_map(|file| exported_macros(&fs::read_to_string(file).expect("a source file")))
        .collect();
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let Some(first) = relative.components().next() else {
            continue;
        };
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let Some(own_rank) = rank(&module) else {
            violations.push(format!(
                "{}: module `{module}` is not in the layering line",
                relative.display()
            ));
            continue;
        };
        let code = without_comments(&fs::read_to_string(file).expect("a source file"));
        for (line, head) in crate_paths(&code) {
            if macros.contains(&head) {
                continue;
            }
            let target = if rank(&head).is_some() {
                head.clone()
            } else if let Some(module) = reexports.get(&head) {
                module.clone()
            } else {
                violations.push(format!(
                    "{}:{line}: `crate::{head}` is neither a declared module nor a root re-export",
                    relative.display()
                ));
                continue;
            };
            let target_rank = rank(&target).expect("declared");
            if target_rank > own_rank {
                violations.push(format!(
                    "{}:{line}: `{module}` uses `crate::{head}` (module `{target}`), which comes after it",
                    relative.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports run up the declared order `{}`:\n{}",
        order.join(" < "),
        violations.join("\n")
    );
}

#[test]
fn the_reader_sees_every_kind_of_crate_path() {
    let code = "use crate::wire::X;\nuse crate::{seal::Y, cookie::{Z, W}};\nlet a = crate::store::f();\n$crate::guard::G\n// crate::integrations\n";
    let heads: Vec<String> = crate_paths(&without_comments(code))
        .into_iter()
        .map(|(_, head)| head)
        .collect();
    assert_eq!(heads, ["wire", "seal", "cookie", "store"]);
    let lib = "pub use keys::{Key, KeyRing as Ring};\npub use seal::Opened;";
    let names = root_reexports(lib);
    assert_eq!(names.get("Ring").map(String::as_str), Some("keys"));
    assert_eq!(names.get("Opened").map(String::as_str), Some("seal"));
    assert_eq!(
        exported_macros("#[macro_export]\nmacro_rules! __m { () => {} }"),
        ["__m"]
    );
    assert_eq!(
        declared_order("// layering: clock < wire < keys"),
        ["clock", "wire", "keys"]
    );
}
