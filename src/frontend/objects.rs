//! Objects one configuration defines and another names — a Traefik middleware and the
//! router that uses it, a `KongPlugin` and the `konghq.com/plugins` annotation, an HTTPRoute
//! and the SecurityPolicy targeting it — and whether a reference reaches a definition, as
//! the controllers resolve it: by kind, by provider (Traefik's `@file`, `@kubernetescrd`)
//! and by Kubernetes namespace. A namespace that is not written is decided when the object
//! is applied (`kubectl apply -n`), so a reference that depends on it only *might* resolve.

use crate::source::Span;

/// A Kubernetes namespace, as a manifest states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Namespace {
    /// `metadata.namespace` (or a reference's own `namespace`).
    Named(String),
    /// Not written: the namespace the object is applied to.
    Unwritten,
    /// Not namespaced: Traefik's file provider, a `KongClusterPlugin`.
    None,
}

impl Namespace {
    pub fn from_written(ns: Option<&str>) -> Namespace {
        ns.map_or(Namespace::Unwritten, |n| Namespace::Named(n.to_string()))
    }
}

/// Where a definition lives, or where a reference looks for one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// `traefik/Middleware`, `kong/KongPlugin`, `gateway/HTTPRoute`.
    pub kind: &'static str,
    /// Traefik's provider (`file`, `kubernetescrd`); empty where there is one.
    pub provider: &'static str,
    pub namespace: Namespace,
}

/// How a reference spells the name it looks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Name {
    /// The definition's own name.
    Plain(String),
    /// Traefik's `<namespace>-<name>` (a `@kubernetescrd` reference from an annotation or the
    /// file provider), which names a middleware together with its namespace.
    NamespaceDashName(String),
}

/// One object a file defines or names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub place: Place,
    pub name: Name,
    /// The name as written.
    pub span: Span,
    /// Its 1-based line, for messages in other files (0 until the file is linted).
    pub line: usize,
    /// The file this object was read from is the same as the reference's (set by the
    /// resolver; two unwritten namespaces in one file are applied together).
    pub file: usize,
    /// A reference that resolves only if something the run cannot see holds (Traefik's
    /// `allowCrossNamespace`), in words.
    pub condition: Option<String>,
}

impl Object {
    /// The definition's or reference's name for messages (`web-cors` for the dash form).
    pub fn shown_name(&self) -> &str {
        match &self.name {
            Name::Plain(n) | Name::NamespaceDashName(n) => n,
        }
    }
}

/// Objects a file defines, the ones it names, and the places it names objects in at all
/// (an unused definition is dead configuration only when something that could have named
/// it, in its place, names others).
#[derive(Clone, Debug, Default)]
pub struct Objects {
    pub defines: Vec<Object>,
    pub references: Vec<Object>,
    /// Places where the file has objects that name definitions (routers, annotated
    /// Ingresses, Services that take plugins), whether or not they name any.
    pub users: Vec<Place>,
}

impl Objects {
    pub fn is_empty(&self) -> bool {
        self.defines.is_empty() && self.references.is_empty() && self.users.is_empty()
    }

    pub fn extend(&mut self, other: Objects) {
        self.defines.extend(other.defines);
        self.references.extend(other.references);
        for p in other.users {
            if !self.users.contains(&p) {
                self.users.push(p);
            }
        }
    }

    /// How this file's own references and users resolve `definition`.
    pub fn uses_of(&self, definition: &Object) -> Uses {
        let refs: Vec<&Object> = self.references.iter().collect();
        let users: Vec<(usize, &Place)> = self.users.iter().map(|p| (0, p)).collect();
        uses_of(definition, &refs, &users)
    }

    /// The same objects, marked as read from file number `file`.
    pub fn in_file(mut self, file: usize) -> Objects {
        for o in self.defines.iter_mut().chain(&mut self.references) {
            o.file = file;
        }
        self
    }
}

/// Whether a reference reaches a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Resolves,
    /// It does if something the run cannot see holds (why, in words).
    Might(String),
    /// It does not; `near` says why when only the place differs (same kind and name).
    No {
        near: Option<String>,
    },
}

/// How `reference` resolves against `definition`.
pub fn resolve(reference: &Object, definition: &Object) -> Resolution {
    let (r, d) = (&reference.place, &definition.place);
    if r.kind != d.kind {
        return Resolution::No { near: None };
    }
    let def_name = definition.shown_name();
    let name_matches = match &reference.name {
        Name::Plain(n) => n == def_name,
        Name::NamespaceDashName(joined) => match &d.namespace {
            Namespace::Named(ns) => *joined == format!("{ns}-{def_name}"),
            Namespace::Unwritten => {
                return if joined.ends_with(&format!("-{def_name}")) {
                    Resolution::Might(format!(
                        "`{joined}` names `{def_name}` if the middleware is applied to namespace `{}`",
                        &joined[..joined.len() - def_name.len() - 1]
                    ))
                } else {
                    Resolution::No { near: None }
                };
            }
            Namespace::None => false,
        },
    };
    if !name_matches {
        return Resolution::No { near: None };
    }
    if r.provider != d.provider {
        return Resolution::No {
            near: Some(format!(
                "it names a middleware of Traefik's `{}` provider, not this `{}` one",
                r.provider, d.provider
            )),
        };
    }
    match (namespaces(reference, definition), &reference.condition) {
        (Resolution::Resolves, Some(c)) => Resolution::Might(c.clone()),
        (r, _) => r,
    }
}

fn namespaces(reference: &Object, definition: &Object) -> Resolution {
    use Namespace::*;
    match (&reference.place.namespace, &definition.place.namespace) {
        (_, None) | (None, _) => Resolution::Resolves,
        (Named(a), Named(b)) if a == b => Resolution::Resolves,
        (Named(a), Named(b)) => Resolution::No {
            near: Some(format!(
                "it looks in namespace `{a}`, and this one is in namespace `{b}`"
            )),
        },
        (Unwritten, Unwritten) if reference.file == definition.file => Resolution::Resolves,
        (Unwritten, Unwritten) => Resolution::Might(
            "neither file writes a namespace; they must be applied to the same one".into(),
        ),
        (Named(a), Unwritten) => Resolution::Might(format!(
            "it looks in namespace `{a}`, and this object's namespace is not written"
        )),
        (Unwritten, Named(b)) => Resolution::Might(format!(
            "its namespace is not written, and this object is in namespace `{b}`"
        )),
    }
}

/// Whether objects at `user` could name a definition at `place`: same kind and provider,
/// and a namespace that can be the same.
pub fn could_name(user: &Place, place: &Place) -> bool {
    use Namespace::*;
    user.kind == place.kind
        && user.provider == place.provider
        && match (&user.namespace, &place.namespace) {
            (Named(a), Named(b)) => a == b,
            _ => true,
        }
}

/// [`could_name`], and surely the same namespace and configuration: an unwritten namespace
/// is the same only within one file (applied together), and whether two files are one
/// Traefik file-provider configuration (`directory`, or one `filename` each) the run cannot
/// see; so users in another file of either sort do not make a definition dead.
pub fn surely_could_name(user: (usize, &Place), definition: &Object) -> bool {
    let (file, place) = user;
    let unsure = matches!(place.namespace, Namespace::Unwritten)
        || matches!(definition.place.namespace, Namespace::Unwritten)
        || place.provider == "file";
    could_name(place, &definition.place) && (!unsure || file == definition.file)
}

/// What the run says about one definition.
#[derive(Debug, Default)]
pub struct Uses {
    /// References that reach it.
    pub resolved: usize,
    /// References that might (with why).
    pub might: Vec<(Object, String)>,
    /// References with its name that do not (with why), to explain a finding.
    pub near: Vec<(Object, String)>,
    /// Something surely in its place names definitions at all.
    pub has_users: bool,
}

impl Uses {
    /// Nothing can use it, though something in its place names other definitions: dead
    /// configuration, and no reference the run cannot settle says otherwise.
    pub fn unused(&self) -> bool {
        self.has_users && self.resolved == 0 && self.might.is_empty()
    }
}

/// How every reference in `all` resolves against `definition`, and whether `users` (places
/// where objects name definitions, with their file) surely include its place.
pub fn uses_of(definition: &Object, all: &[&Object], users: &[(usize, &Place)]) -> Uses {
    let mut out = Uses {
        has_users: users
            .iter()
            .any(|(f, p)| surely_could_name((*f, p), definition)),
        ..Uses::default()
    };
    for r in all {
        match resolve(r, definition) {
            Resolution::Resolves => out.resolved += 1,
            Resolution::Might(why) => out.might.push(((*r).clone(), why)),
            Resolution::No { near: Some(why) } => out.near.push(((*r).clone(), why)),
            Resolution::No { near: None } => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &'static str, provider: &'static str, ns: Namespace, name: Name) -> Object {
        Object {
            place: Place {
                kind,
                provider,
                namespace: ns,
            },
            name,
            span: Span::empty(0),
            line: 0,
            file: 0,
            condition: None,
        }
    }

    const MW: &str = "traefik/Middleware";

    fn crd(ns: Namespace, name: &str) -> Object {
        object(MW, "kubernetescrd", ns, Name::Plain(name.into()))
    }

    #[test]
    fn traefik_references_resolve_by_provider() {
        let def = crd(Namespace::Named("web".into()), "cors");
        let file_ref = object(MW, "file", Namespace::None, Name::Plain("cors".into()));
        assert!(matches!(
            resolve(&file_ref, &def),
            Resolution::No { near: Some(_) }
        ));
        let dashed = object(
            MW,
            "kubernetescrd",
            Namespace::None,
            Name::NamespaceDashName("web-cors".into()),
        );
        assert_eq!(resolve(&dashed, &def), Resolution::Resolves);
        let other_ns = object(
            MW,
            "kubernetescrd",
            Namespace::None,
            Name::NamespaceDashName("api-cors".into()),
        );
        assert!(matches!(
            resolve(&other_ns, &def),
            Resolution::No { near: None }
        ));
        // `a-b-cors` may be namespace `a-b` or `a` with a middleware `b-cors`.
        let unwritten = crd(Namespace::Unwritten, "cors");
        let d = object(
            MW,
            "kubernetescrd",
            Namespace::None,
            Name::NamespaceDashName("a-b-cors".into()),
        );
        assert!(matches!(resolve(&d, &unwritten), Resolution::Might(w) if w.contains("`a-b`")));
    }

    #[test]
    fn namespaces_decide_and_unwritten_ones_might() {
        let def = crd(Namespace::Named("a".into()), "cors");
        let same = crd(Namespace::Named("a".into()), "cors");
        let other = crd(Namespace::Named("b".into()), "cors");
        assert_eq!(resolve(&same, &def), Resolution::Resolves);
        assert!(matches!(
            resolve(&other, &def),
            Resolution::No { near: Some(w) } if w.contains("`b`")
        ));
        let unwritten = crd(Namespace::Unwritten, "cors");
        assert!(matches!(resolve(&unwritten, &def), Resolution::Might(_)));
        let mut there = crd(Namespace::Unwritten, "cors");
        assert_eq!(
            resolve(&there, &crd(Namespace::Unwritten, "cors")),
            Resolution::Resolves
        );
        there.file = 1;
        assert!(matches!(
            resolve(&there, &crd(Namespace::Unwritten, "cors")),
            Resolution::Might(_)
        ));
        // A cluster-wide plugin answers every namespace.
        let cluster = object(
            "kong/KongPlugin",
            "",
            Namespace::None,
            Name::Plain("cors".into()),
        );
        let from_b = object(
            "kong/KongPlugin",
            "",
            Namespace::Named("b".into()),
            Name::Plain("cors".into()),
        );
        assert_eq!(resolve(&from_b, &cluster), Resolution::Resolves);
    }

    #[test]
    fn users_count_only_where_they_could_name_the_definition() {
        let def = crd(Namespace::Named("a".into()), "cors");
        let b = Place {
            kind: MW,
            provider: "kubernetescrd",
            namespace: Namespace::Named("b".into()),
        };
        let file = Place {
            kind: MW,
            provider: "file",
            namespace: Namespace::None,
        };
        assert!(!uses_of(&def, &[], &[(1, &b), (1, &file)]).has_users);
        let a = Place {
            namespace: Namespace::Unwritten,
            ..b.clone()
        };
        // An unwritten namespace in another file may be any: no sure user.
        assert!(!uses_of(&def, &[], &[(1, &a)]).unused());
        assert!(uses_of(&def, &[], &[(0, &a)]).unused());
    }
}
