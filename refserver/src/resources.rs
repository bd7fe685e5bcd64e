//! One resource at a time: validation and normalisation, create, read, PUT, PATCH, DELETE
//! (with `If-Match`), and how a resource is presented (`attributes`, faults that change it).

use crate::error::ScimError;
use crate::faults::Fault;
use crate::filter::{self};
use crate::patch::{self, PatchOptions};
use crate::patch11::{self, Patch11Options};
use crate::state::{AppState, Reply, eval_options, now, parse_body};
use crate::store::{Kind, Store};
use crate::version::ScimVersion;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value, json};

/// The unique-name key of a resource: lower-cased userName for users (caseExact=false), none
/// for groups (displayName is not unique in RFC 7643 §4.2).
pub(crate) fn name_key(s: &AppState, kind: Kind, resource: &Value) -> Option<String> {
    if kind != Kind::Users {
        return None;
    }
    let name = filter::get_ci(resource, "userName")?.as_str()?;
    Some(if s.faults.has(Fault::CaseSensitiveUsername) {
        name.to_string()
    } else {
        name.to_lowercase()
    })
}

/// userName and every email value in lower case, as apps that normalise them store them.
pub(crate) fn lowercase_values(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    for (k, val) in obj.iter_mut() {
        if k.eq_ignore_ascii_case("userName")
            && let Value::String(name) = val
        {
            *name = name.to_lowercase();
        }
        if k.eq_ignore_ascii_case("emails")
            && let Value::Array(emails) = val
        {
            for e in emails.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(Value::String(x)) = e.get_mut("value") {
                    *x = x.to_lowercase();
                }
            }
        }
    }
}

/// Validates a client's resource and normalises it: read-only attributes dropped, schemas set,
/// password never stored in a readable form (it is write-only, RFC 7643 §4.1.1).
pub(crate) fn validate(s: &AppState, kind: Kind, mut v: Value) -> Result<Value, ScimError> {
    if kind == Kind::Users && s.faults.has(Fault::LowercasesValues) {
        lowercase_values(&mut v);
    }
    crate::interop::refuse_undefined(s, kind, &v)?;
    let obj = v.as_object_mut().expect("parse_body returns objects");
    for ro in ["id", "meta", "groups"] {
        if let Some(k) = obj.keys().find(|k| k.eq_ignore_ascii_case(ro)).cloned() {
            obj.remove(&k);
        }
    }
    if let Some(k) = obj
        .keys()
        .find(|k| k.eq_ignore_ascii_case("password"))
        .cloned()
        && !s.faults.has(Fault::PasswordReturned)
    {
        obj.remove(&k);
    }
    match kind {
        Kind::Users => {
            required_text(&v, "userName", "RFC 7643 §4.1")?;
            if let Some(active) = filter::get_ci(&v, "active")
                && !active.is_boolean()
            {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "active must be a boolean",
                ));
            }
            crate::entitlements::check_assignments(s, &v)?;
        }
        Kind::Groups => {
            required_text(&v, "displayName", "RFC 7643 §4.2")?;
            check_members(&v)?;
        }
    }
    Ok(v)
}

/// A required string attribute, present and not blank.
fn required_text(v: &Value, name: &str, reference: &str) -> Result<(), ScimError> {
    let text = filter::get_ci(v, name)
        .and_then(Value::as_str)
        .unwrap_or("");
    if text.trim().is_empty() {
        return Err(ScimError::bad_request(
            "invalidValue",
            format!("{name} is required ({reference})"),
        ));
    }
    Ok(())
}

/// Group members must be an array of objects with a `value` (the member's id).
pub(crate) fn check_members(group: &Value) -> Result<(), ScimError> {
    let Some(members) = filter::get_ci(group, "members") else {
        return Ok(());
    };
    let Some(members) = members.as_array() else {
        return Err(ScimError::bad_request(
            "invalidValue",
            "members must be an array",
        ));
    };
    if members
        .iter()
        .any(|m| filter::get_ci(m, "value").and_then(Value::as_str).is_none())
    {
        return Err(ScimError::bad_request(
            "invalidValue",
            "every member needs a string value (the member's id)",
        ));
    }
    Ok(())
}

pub(crate) fn finish_resource(
    s: &AppState,
    kind: Kind,
    id: &str,
    mut v: Value,
    created: &str,
    version: u64,
) -> Value {
    let obj = v.as_object_mut().expect("resources are objects");
    obj.insert("id".into(), json!(id));
    let schema = s.version.core_schema(kind);
    // The core schema plus every extension the resource holds data for (RFC 7643 §3).
    obj.retain(|k, v| {
        !(k.to_ascii_lowercase().starts_with("urn:") && v.as_object().is_some_and(|o| o.is_empty()))
    });
    let mut schemas = vec![json!(schema)];
    for (k, v) in obj.iter_mut() {
        if let (true, Some(ext)) = (
            k.to_ascii_lowercase().starts_with("urn:"),
            v.as_object_mut(),
        ) {
            // An extension's schema is listed once, in the resource's `schemas`.
            ext.retain(|ek, _| !ek.eq_ignore_ascii_case("schemas"));
            schemas.push(json!(k));
        }
    }
    obj.insert("schemas".into(), Value::Array(schemas));
    if kind == Kind::Groups && !obj.keys().any(|k| k.eq_ignore_ascii_case("members")) {
        obj.insert("members".into(), json!([]));
    }
    let mut meta = json!({
        "created": created,
        "lastModified": now(),
        "location": format!("{}/{}/{id}", s.base_url, kind.endpoint()),
        "version": format!("W/\"{version}\""),
    });
    // SCIM 1.1 has no meta.resourceType (RFC 7643 §3.1 added it).
    if s.version == ScimVersion::V2 {
        meta["resourceType"] = json!(kind.resource_type());
    }
    obj.insert("meta".into(), meta);
    v
}

/// Inserts a validated resource (used by POST and by seeding).
/// Whether a group with this resource's displayName is stored (and not deleted).
fn group_name_taken(store: &Store, v: &Value) -> bool {
    let name = filter::get_ci(v, "displayName").and_then(Value::as_str);
    store.of(Kind::Groups).iter().any(|e| {
        !e.soft_deleted
            && filter::get_ci(&e.resource(), "displayName").and_then(Value::as_str) == name
    })
}

pub(crate) fn insert(
    s: &AppState,
    store: &mut Store,
    kind: Kind,
    body: Value,
) -> Result<Value, ScimError> {
    // Checked before anything else, as such apps do: a user without userName is refused
    // for its phone number.
    if kind == Kind::Users
        && s.faults.has(Fault::CreateRequiresPhone)
        && filter::get_ci(&body, "phoneNumbers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    {
        return Err(ScimError::bad_request(
            "invalidValue",
            "Attribute 'phoneNumbers' is required",
        ));
    }
    let mut v = validate(s, kind, body)?;
    let key = name_key(s, kind, &v);
    if let Some(k) = &key
        && !s.faults.has(Fault::DuplicatesAllowed)
        && !store.of(Kind::Users).by_name(k).is_empty()
    {
        return Err(ScimError::new(
            StatusCode::CONFLICT,
            "a user with this userName already exists",
        )
        .typed("uniqueness"));
    }
    if kind == Kind::Groups
        && s.faults.has(Fault::EmptyGroupRefused)
        && filter::get_ci(&v, "members")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    {
        return Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            "a group needs at least one member",
        ));
    }
    if kind == Kind::Groups && group_name_taken(store, &v) {
        if s.faults.has(Fault::DuplicateGroup500) {
            return Err(ScimError::html_crash(
                "IntegrityError: duplicate key value violates unique constraint",
            ));
        }
        // IPSIE AL2 (on the interop profile): no two groups with one displayName.
        if s.interop_profile {
            return Err(ScimError::new(
                StatusCode::CONFLICT,
                "a group with this displayName already exists",
            )
            .typed("uniqueness"));
        }
    }
    if kind == Kind::Groups && s.faults.has(Fault::MembersDroppedOnCreate) {
        v["members"] = json!([]);
    }
    // A new user is active unless the client says otherwise; later updates may remove it.
    if kind == Kind::Users && filter::get_ci(&v, "active").is_none() {
        v["active"] = json!(true);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let resource = finish_resource(s, kind, &id, v, &now(), 1);
    store.of_mut(kind).insert(id, key, &resource);
    Ok(resource)
}

pub(crate) fn create(s: &AppState, kind: Kind, body: &Bytes) -> Result<Reply, ScimError> {
    let v = parse_body(body)?;
    let mut store = s.store.lock().expect("store lock");
    let resource = insert(s, &mut store, kind, v)?;
    let location = resource
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut body = present(s, resource, &[])?;
    if s.faults.has(Fault::CreatedWithoutId) {
        if let Some(o) = body.as_object_mut() {
            o.remove("id");
            o.remove("meta");
        }
        return Ok(Reply {
            status: StatusCode::CREATED,
            body: Some(body),
            location: None,
        });
    }
    Ok(Reply {
        status: StatusCode::CREATED,
        body: Some(body),
        location,
    })
}

pub(crate) fn get_one(
    s: &AppState,
    kind: Kind,
    id: &str,
    q: &[(String, String)],
) -> Result<Reply, ScimError> {
    let store = s.store.lock().expect("store lock");
    let entry = found(&store, kind, id)?;
    let resource = entry.resource();
    let location = resource
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Reply {
        status: StatusCode::OK,
        body: Some(present(s, resource, q)?),
        location,
    })
}

/// The stored resource of this kind and id: 404 when there is none.
fn found<'a>(store: &'a Store, kind: Kind, id: &str) -> Result<&'a crate::store::Entry, ScimError> {
    store
        .of(kind)
        .get(id)
        .filter(|e| !e.tombstone)
        .ok_or_else(|| ScimError::not_found(kind.resource_type(), id))
}

/// Checks `If-Match` against the current version (RFC 7644 §3.14): 412 when it differs.
pub(crate) fn check_if_match(headers: &HeaderMap, current: u64) -> Result<(), ScimError> {
    let Some(want) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let current = format!("W/\"{current}\"");
    let ok = want.split(',').map(str::trim).any(|w| {
        w == "*" || w == current || w.trim_start_matches("W/") == current.trim_start_matches("W/")
    });
    if ok {
        Ok(())
    } else {
        Err(ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            format!("If-Match {want} does not match the current version {current}"),
        ))
    }
}

/// Stores a new state of an existing resource, keeping id, created and the name index right.
pub(crate) fn store_update(
    s: &AppState,
    store: &mut Store,
    kind: Kind,
    id: &str,
    new: Value,
) -> Result<Value, ScimError> {
    let (old_key, created, version) = {
        let e = found(store, kind, id)?;
        let old = e.resource();
        let created = old
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        (name_key(s, kind, &old), created, e.version)
    };
    let new = validate(s, kind, new)?;
    let new_key = name_key(s, kind, &new);
    if let Some(k) = &new_key {
        let clash = store.of(Kind::Users).by_name(k).iter().any(|e| e.id != id);
        if clash && !s.faults.has(Fault::DuplicatesAllowed) {
            return Err(
                ScimError::new(StatusCode::CONFLICT, "another user has this userName")
                    .typed("uniqueness"),
            );
        }
    }
    let resource = finish_resource(s, kind, id, new, &created, version + 1);
    store.of_mut(kind).rename(id, old_key, new_key);
    let entry = store.of_mut(kind).get_mut(id).expect("checked above");
    entry.set_resource(&resource);
    entry.version = version + 1;
    Ok(resource)
}

/// What a PUT or PATCH needs: its body as JSON, the store locked, and the resource it is
/// about to change (404 when unknown, 412 when `If-Match` names another version).
fn write_of<'s>(
    s: &'s AppState,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Value, std::sync::MutexGuard<'s, Store>, Value), ScimError> {
    let request = parse_body(body)?;
    let store = s.store.lock().expect("store lock");
    let entry = found(&store, kind, id)?;
    check_if_match(headers, entry.version)?;
    let current = entry.resource();
    Ok((request, store, current))
}

pub(crate) fn replace(
    s: &AppState,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Reply, ScimError> {
    let (v, mut store, current) = write_of(s, kind, id, headers, body)?;
    let resource = if s.faults.has(Fault::PutNotApplied) {
        current
    } else {
        store_update(s, &mut store, kind, id, v)?
    };
    Ok(Reply {
        status: StatusCode::OK,
        body: Some(present(s, resource, &[])?),
        location: None,
    })
}

pub(crate) fn modify(
    s: &AppState,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Reply, ScimError> {
    let (message, mut store, current) = write_of(s, kind, id, headers, body)?;
    if kind == Kind::Groups && s.faults.has(Fault::RenameNoPathRejected) {
        let no_path = message
            .get("Operations")
            .and_then(Value::as_array)
            .is_some_and(|ops| ops.iter().any(|o| filter::get_ci(o, "path").is_none()));
        if no_path {
            return Err(ScimError::bad_request(
                "noTarget",
                "an operation without a path is not supported",
            ));
        }
    }
    if s.version == ScimVersion::V2 {
        crate::interop::refuse_path_less(s, &message)?;
    }
    let opts = PatchOptions {
        ignore_unknown_ops: s.faults.has(Fault::PatchUnknownOpIgnored),
        ignore_member_removal: s.faults.has(Fault::MemberRemovalIgnored),
        eval: eval_options(s),
        replace_complex_whole: s.interop_profile && !s.faults.has(Fault::PatchReplaceMerges),
        add_replaces_collection: s.faults.has(Fault::PatchAddReplacesCollection),
    };
    let patched = match s.version {
        ScimVersion::V2 => {
            let patched = patch::apply(&current, &message, opts)?;
            let patched = crate::entitlements::bend_patched(s, &message, &current, patched);
            crate::interop::refuse_undefined(s, kind, &patched)?;
            if kind == Kind::Users {
                crate::entitlements::check_assignments(s, &patched)?;
            }
            patched
        }
        ScimVersion::V11 => {
            let renames = filter::get_ci(&message, "displayName").is_some();
            if kind == Kind::Groups && renames && s.faults.has(Fault::RenameNoPathRejected) {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "renaming a group by PATCH is not supported",
                ));
            }
            let opts = Patch11Options {
                ignore_member_removal: opts.ignore_member_removal,
            };
            patch11::apply(&current, &message, opts)?
        }
    };
    let reactivates = current.get("active") == Some(&Value::Bool(false))
        && patched.get("active") == Some(&Value::Bool(true));
    let resource = if s.faults.has(Fault::PatchNotApplied)
        || (reactivates && s.faults.has(Fault::ReactivationIgnored))
    {
        current
    } else {
        store_update(s, &mut store, kind, id, patched)?
    };
    if s.patch_204 {
        return Ok(Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
        });
    }
    Ok(Reply {
        status: StatusCode::OK,
        body: Some(present(s, resource, &[])?),
        location: None,
    })
}

pub(crate) fn delete(
    s: &AppState,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
) -> Result<Reply, ScimError> {
    let mut store = s.store.lock().expect("store lock");
    let current = found(&store, kind, id)?;
    if current.soft_deleted && s.faults.has(Fault::SoftDelete) {
        return Err(ScimError::not_found(kind.resource_type(), id));
    }
    if !s.faults.has(Fault::IfMatchIgnoredOnDelete) {
        check_if_match(headers, current.version)?;
    }
    let done = Reply {
        status: StatusCode::NO_CONTENT,
        body: None,
        location: None,
    };
    if s.faults.has(Fault::DeleteNotApplied) {
        return Ok(done);
    }
    if s.faults.has(Fault::SoftDelete) {
        store.of_mut(kind).soft_delete(id);
        return Ok(done);
    }
    if kind == Kind::Users && s.faults.has(Fault::DeletedListedEmptied) {
        // What some apps keep of a deleted user: a row with its id and name, inactive.
        let was = current.resource();
        let key = name_key(s, kind, &was);
        let mut kept = json!({"id": id, "active": false});
        for attr in ["schemas", "userName", "meta"] {
            if let Some(v) = was.get(attr) {
                kept[attr] = v.clone();
            }
        }
        let users = store.of_mut(kind);
        users.rename(id, key, None);
        let entry = users.get_mut(id).expect("found above");
        entry.set_resource(&kept);
        entry.tombstone = true;
        return Ok(done);
    }
    let key = name_key(s, kind, &current.resource());
    store.of_mut(kind).remove(id, key);
    // A deleted user or group is no longer anyone's member.
    for g in store.of_mut(Kind::Groups).iter_mut() {
        let mut group = g.resource();
        if let Some(Value::Array(members)) = group.get_mut("members") {
            let before = members.len();
            members.retain(|m| m.get("value") != Some(&json!(id)));
            if members.len() != before {
                g.set_resource(&group);
            }
        }
    }
    Ok(done)
}

/// Applies fault switches that change how a resource looks, and `attributes` /
/// `excludedAttributes` (RFC 7644 §3.4.2.5; `id` and `schemas` are always returned).
pub(crate) fn present(
    s: &AppState,
    mut v: Value,
    q: &[(String, String)],
) -> Result<Value, ScimError> {
    if s.faults.has(Fault::MetaMissing)
        && let Some(o) = v.as_object_mut()
    {
        o.remove("meta");
    }
    if s.faults.has(Fault::ActiveAsString)
        && let Some(active) = v.get_mut("active")
        && let Some(b) = active.as_bool()
    {
        *active = Value::String(b.to_string());
    }
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if s.faults.has(Fault::AttributesIgnored) {
        return Ok(v);
    }
    let (list, keep) = match (param("attributes"), param("excludedAttributes")) {
        (Some(list), _) => (list, true),
        (None, Some(list)) => (list, false),
        (None, None) => return Ok(v),
    };
    if list.split(',').count() > MAX_ATTRIBUTE_NAMES {
        return Err(ScimError::bad_request(
            "invalidValue",
            format!("attributes and excludedAttributes take at most {MAX_ATTRIBUTE_NAMES} names"),
        ));
    }
    Ok(project(&v, list, keep))
}

/// The most names `attributes` or `excludedAttributes` may list (a resource has far fewer).
pub(crate) const MAX_ATTRIBUTE_NAMES: usize = 200;

pub(crate) fn project(v: &Value, list: &str, keep: bool) -> Value {
    let wanted: Vec<Vec<String>> = list
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(filter::attr_path)
        .collect();
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    let mut out = Map::new();
    for (k, val) in obj {
        let lk = k.to_ascii_lowercase();
        if lk == "id" || lk == "schemas" {
            out.insert(k.clone(), val.clone());
            continue;
        }
        let whole = wanted.iter().any(|p| p.len() == 1 && p[0] == lk);
        let subs: Vec<&String> = wanted
            .iter()
            .filter(|p| p.len() == 2 && p[0] == lk)
            .map(|p| &p[1])
            .collect();
        match (keep, whole, subs.is_empty(), val) {
            (true, true, _, _) => {
                out.insert(k.clone(), val.clone());
            }
            (true, false, false, Value::Object(inner)) => {
                let picked: Map<String, Value> = inner
                    .iter()
                    .filter(|(ik, _)| subs.iter().any(|s| ik.eq_ignore_ascii_case(s)))
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect();
                out.insert(k.clone(), Value::Object(picked));
            }
            (false, false, true, _) => {
                out.insert(k.clone(), val.clone());
            }
            (false, false, false, Value::Object(inner)) => {
                let kept: Map<String, Value> = inner
                    .iter()
                    .filter(|(ik, _)| !subs.iter().any(|s| ik.eq_ignore_ascii_case(s)))
                    .map(|(a, b)| (a.clone(), b.clone()))
                    .collect();
                out.insert(k.clone(), Value::Object(kept));
            }
            _ => {}
        }
    }
    Value::Object(out)
}
