#include "openapi_testkit.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <regex>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <yaml-cpp/yaml.h>

namespace dwt::openapi_testkit {

namespace detail {

/// Everything `document` needs, shared between copies.
struct document_state {
  YAML::Node root;
  std::vector<operation> operations;
  std::vector<webhook> webhooks;
  /// operations[i] -> its YAML node (same index).
  std::vector<YAML::Node> operation_nodes;
};

} // namespace detail

namespace {

constexpr int max_depth = 64;

using problems = std::vector<std::string>;

[[nodiscard]] std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

[[nodiscard]] std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

[[nodiscard]] YAML::Node undefined_node() {
  return YAML::Node(YAML::NodeType::Undefined);
}

/// True for a valid, defined mapping (never throws on yaml-cpp "zombie" nodes).
[[nodiscard]] bool is_map(const YAML::Node& n) {
  return n.IsDefined() && n.IsMap();
}

/// True for a valid, defined sequence.
[[nodiscard]] bool is_seq(const YAML::Node& n) {
  return n.IsDefined() && n.IsSequence();
}

/// `n[key]` for a mapping, else an undefined (but valid) node: yaml-cpp
/// throws when a missing key's result is used further, this never does.
[[nodiscard]] YAML::Node child(const YAML::Node& n, const std::string& key) {
  if (!is_map(n)) {
    return undefined_node();
  }
  const YAML::Node c = n[key];
  if (!c.IsDefined()) {
    return undefined_node();
  }
  return c;
}

/// The scalar text of a node, or nullopt if it is not a scalar.
[[nodiscard]] std::optional<std::string> scalar(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) {
    return std::nullopt;
  }
  return n.Scalar();
}

[[nodiscard]] bool is_true(const YAML::Node& n) {
  const auto s = scalar(n);
  return s && (*s == "true" || *s == "True" || *s == "TRUE");
}

[[nodiscard]] std::optional<double> number(const YAML::Node& n) {
  const auto s = scalar(n);
  if (!s || s->empty()) {
    return std::nullopt;
  }
  try {
    std::size_t used = 0;
    const double d = std::stod(*s, &used);
    if (used != s->size()) {
      return std::nullopt;
    }
    return d;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// A three-digit numeric status key ("200"), else nullopt ("2XX", "default").
[[nodiscard]] std::optional<int> status_key(const std::string& key) {
  if (key.size() != 3 ||
      !std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  return std::stoi(key);
}

/// Resolves a local JSON pointer "#/a/b" against the root.
[[nodiscard]] YAML::Node pointer(const YAML::Node& root, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  YAML::Node cur(root);
  std::size_t pos = 2;
  while (pos <= ref.size()) {
    const std::size_t slash = ref.find('/', pos);
    std::string token =
        ref.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    for (std::size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) {
      if (i + 1 < token.size() && token[i + 1] == '1') {
        token.replace(i, 2, "/");
      } else if (i + 1 < token.size() && token[i + 1] == '0') {
        token.replace(i, 2, "~");
      }
    }
    if (!is_map(cur)) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    const YAML::Node& const_cur = cur;
    YAML::Node next = child(const_cur, token);
    if (!next.IsDefined()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    cur.reset(next);
    if (slash == std::string::npos) {
      break;
    }
    pos = slash + 1;
  }
  return cur;
}

/// Follows `$ref` chains; an undefined node if a reference is dangling or
/// the chain is too long. `where_ref` receives the last reference followed.
[[nodiscard]] YAML::Node deref(const YAML::Node& root, const YAML::Node& node,
                               std::string* where_ref = nullptr) {
  YAML::Node cur(node);
  for (int i = 0; i < max_depth; ++i) {
    if (!is_map(cur)) {
      return cur;
    }
    const YAML::Node& const_cur = cur;
    const auto ref = scalar(child(const_cur, "$ref"));
    if (!ref) {
      return cur;
    }
    if (where_ref != nullptr) {
      *where_ref = *ref;
    }
    YAML::Node next = pointer(root, *ref);
    if (!next.IsDefined()) {
      return next;
    }
    cur.reset(next);
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

[[nodiscard]] std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  if (!path.empty() && path.front() == '/') {
    pos = 1;
  }
  while (pos <= path.size()) {
    const std::size_t slash = path.find('/', pos);
    out.emplace_back(
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  return out;
}

[[nodiscard]] bool is_param_segment(const std::string& seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

/// Number of literal segments if the template matches the path, else -1.
[[nodiscard]] int template_score(const std::string& templ, std::string_view concrete) {
  const auto t = split_path(templ);
  const auto c = split_path(concrete);
  if (t.size() != c.size()) {
    return -1;
  }
  int literals = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (is_param_segment(t[i])) {
      if (c[i].empty()) {
        return -1;
      }
    } else if (t[i] == c[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

[[nodiscard]] std::string_view strip_query(std::string_view path) {
  const std::size_t q = path.find_first_of("?#");
  return q == std::string_view::npos ? path : path.substr(0, q);
}

[[nodiscard]] std::string describe(const boost::json::value& v) {
  switch (v.kind()) {
  case boost::json::kind::null:
    return "null";
  case boost::json::kind::bool_:
    return "boolean";
  case boost::json::kind::int64:
  case boost::json::kind::uint64:
    return "integer";
  case boost::json::kind::double_:
    return "number";
  case boost::json::kind::string:
    return "string";
  case boost::json::kind::array:
    return "array";
  case boost::json::kind::object:
    return "object";
  }
  return "unknown";
}

[[nodiscard]] std::string scalar_text(const boost::json::value& v) {
  switch (v.kind()) {
  case boost::json::kind::string:
    return std::string(v.get_string());
  case boost::json::kind::int64:
    return std::to_string(v.get_int64());
  case boost::json::kind::uint64:
    return std::to_string(v.get_uint64());
  case boost::json::kind::bool_:
    return v.get_bool() ? "true" : "false";
  case boost::json::kind::null:
    return "null";
  case boost::json::kind::double_: {
    const double d = v.get_double();
    if (std::floor(d) == d && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
    return std::to_string(d);
  }
  default:
    return describe(v);
  }
}

[[nodiscard]] std::optional<double> as_number(const boost::json::value& v) {
  switch (v.kind()) {
  case boost::json::kind::int64:
    return static_cast<double>(v.get_int64());
  case boost::json::kind::uint64:
    return static_cast<double>(v.get_uint64());
  case boost::json::kind::double_:
    return v.get_double();
  default:
    return std::nullopt;
  }
}

[[nodiscard]] bool type_matches(const std::string& type, const boost::json::value& v) {
  if (type == "string") {
    return v.is_string();
  }
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) {
      return true;
    }
    return v.is_double() && std::floor(v.get_double()) == v.get_double();
  }
  if (type == "number") {
    return v.is_number();
  }
  if (type == "boolean") {
    return v.is_bool();
  }
  if (type == "object") {
    return v.is_object();
  }
  if (type == "array") {
    return v.is_array();
  }
  return true; // unknown type keyword: nothing to check
}

[[nodiscard]] bool regex_matches(const std::string& pattern, const std::string& text,
                                 bool& pattern_ok) {
  try {
    const std::regex re(pattern, std::regex::ECMAScript);
    pattern_ok = true;
    return std::regex_search(text, re);
  } catch (const std::regex_error&) {
    pattern_ok = false;
    return true;
  }
}

/// RFC 3339 date-time (any offset).
[[nodiscard]] bool is_date_time(const std::string& s) {
  static const std::regex re(
      R"(^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s, re);
}

/// Validates `v` against `schema_in`, appending problems prefixed with `at`.
void check_value(const YAML::Node& root, const YAML::Node& schema_in, const boost::json::value& v,
                 const std::string& at, problems& out, int depth) {
  if (depth > max_depth) {
    out.push_back(at + ": schema nesting too deep (cyclic $ref?)");
    return;
  }
  std::string ref;
  const YAML::Node schema = deref(root, schema_in, &ref);
  if (!schema.IsDefined()) {
    out.push_back(at + ": dangling $ref '" + ref + "' in the document");
    return;
  }
  if (!is_map(schema)) {
    return; // `{}`-like or malformed: accepts anything
  }

  if (v.is_null() && is_true(child(schema, "nullable"))) {
    return;
  }

  if (const YAML::Node all = child(schema, "allOf"); is_seq(all)) {
    for (const auto& sub : all) {
      check_value(root, sub, v, at, out, depth + 1);
    }
  }
  for (const char* key : {"oneOf", "anyOf"}) {
    const YAML::Node alternatives = child(schema, key);
    if (!is_seq(alternatives) || alternatives.size() == 0) {
      continue;
    }
    std::optional<problems> best;
    bool any_ok = false;
    for (const auto& sub : alternatives) {
      problems sub_out;
      check_value(root, sub, v, at, sub_out, depth + 1);
      if (sub_out.empty()) {
        any_ok = true;
        break;
      }
      if (!best || sub_out.size() < best->size()) {
        best = std::move(sub_out);
      }
    }
    if (!any_ok) {
      out.push_back(at + ": matches none of the " + key + " alternatives; closest:");
      for (auto& p : *best) {
        out.push_back("  " + p);
      }
    }
  }

  std::optional<std::string> type = scalar(child(schema, "type"));
  if (!type && (child(schema, "properties").IsDefined() || child(schema, "required").IsDefined())) {
    type = "object";
  }
  if (v.is_null()) {
    if (type || child(schema, "enum").IsDefined()) {
      out.push_back(at + ": null where " + (type ? *type : std::string("a value")) +
                    " is required (schema not nullable)");
    }
    return;
  }
  if (type && !type_matches(*type, v)) {
    out.push_back(at + ": expected " + *type + ", got " + describe(v));
    return;
  }

  if (const YAML::Node en = child(schema, "enum"); is_seq(en)) {
    const std::string text = scalar_text(v);
    bool found = false;
    std::string allowed;
    for (const auto& e : en) {
      const auto s = scalar(e);
      if (!s) {
        continue;
      }
      allowed += (allowed.empty() ? "" : ", ") + *s;
      if (*s == text && (v.is_string() || v.is_number() || v.is_bool())) {
        found = true;
      }
    }
    if (!found) {
      out.push_back(at + ": value '" + text + "' not in enum [" + allowed + "]");
    }
  }

  if (v.is_string()) {
    const std::string s(v.get_string());
    if (const auto pat = scalar(child(schema, "pattern"))) {
      bool pattern_ok = true;
      if (!regex_matches(*pat, s, pattern_ok)) {
        out.push_back(at + ": '" + s + "' does not match pattern " + *pat);
      }
    }
    if (const auto mx = number(child(schema, "maxLength"));
        mx && static_cast<double>(s.size()) > *mx) {
      out.push_back(at + ": longer than maxLength");
    }
    if (const auto mn = number(child(schema, "minLength"));
        mn && static_cast<double>(s.size()) < *mn) {
      out.push_back(at + ": shorter than minLength");
    }
    if (const auto fmt = scalar(child(schema, "format"));
        fmt && *fmt == "date-time" && !is_date_time(s)) {
      out.push_back(at + ": '" + s + "' is not an RFC 3339 date-time");
    }
  }
  if (const auto n = as_number(v)) {
    if (const auto mx = number(child(schema, "maximum")); mx && *n > *mx) {
      out.push_back(at + ": " + scalar_text(v) + " above maximum");
    }
    if (const auto mn = number(child(schema, "minimum")); mn && *n < *mn) {
      out.push_back(at + ": " + scalar_text(v) + " below minimum");
    }
  }

  if (v.is_object()) {
    const auto& obj = v.get_object();
    if (const YAML::Node req = child(schema, "required"); is_seq(req)) {
      for (const auto& r : req) {
        const auto name = scalar(r);
        if (name && !obj.contains(*name)) {
          out.push_back(at + ": missing required field '" + *name + "'");
        }
      }
    }
    if (const YAML::Node props = child(schema, "properties"); is_map(props)) {
      for (const auto& kv : props) {
        const auto name = scalar(kv.first);
        if (!name) {
          continue;
        }
        if (const auto* field = obj.if_contains(*name)) {
          check_value(root, kv.second, *field, at + "." + *name, out, depth + 1);
        }
      }
    }
    if (const auto mn = number(child(schema, "minProperties"));
        mn && static_cast<double>(obj.size()) < *mn) {
      out.push_back(at + ": fewer than minProperties fields");
    }
  }

  if (v.is_array()) {
    const YAML::Node items = child(schema, "items");
    if (items.IsDefined()) {
      const auto& arr = v.get_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        check_value(root, items, arr[i], at + "[" + std::to_string(i) + "]", out, depth + 1);
      }
    }
  }
}

/// Parses JSON text and checks it against a schema node.
void check_json_text(const YAML::Node& root, const YAML::Node& schema, std::string_view text,
                     const std::string& at, problems& out) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec) {
    out.push_back(at + ": body is not valid JSON (" + ec.message() + ")");
    return;
  }
  check_value(root, schema, v, "$", out, 0);
}

/// Picks the response documented for `status` in a `responses` map: exact
/// code, then "4XX"-style range, then "default".
[[nodiscard]] YAML::Node response_for(const YAML::Node& responses, int status) {
  if (!is_map(responses)) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const std::string exact = std::to_string(status);
  const std::string range = std::to_string(status / 100) + "XX";
  for (const std::string& key : {exact, range, std::string("default")}) {
    for (const auto& kv : responses) {
      const auto k = scalar(kv.first);
      if (k && upper(*k) == key) {
        return kv.second;
      }
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

/// Checks a (possibly $ref) response object against the answer.
void check_against_response(const YAML::Node& root, const YAML::Node& response_in,
                            std::string_view content_type, std::string_view body,
                            const std::string& label, problems& out) {
  std::string ref;
  const YAML::Node response = deref(root, response_in, &ref);
  if (!response.IsDefined()) {
    out.push_back(label + ": dangling response $ref '" + ref + "' in the document");
    return;
  }
  const YAML::Node content = child(response, "content");
  if (!is_map(content) || content.size() == 0) {
    if (!body.empty()) {
      out.push_back(label + ": documented without a body, but " + std::to_string(body.size()) +
                    " body bytes were sent");
    }
    return;
  }

  std::string media = lower(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back())) != 0) {
    media.pop_back();
  }
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.front())) != 0) {
    media.erase(media.begin());
  }

  YAML::Node media_node(YAML::NodeType::Undefined);
  std::string documented;
  for (const auto& kv : content) {
    const auto k = scalar(kv.first);
    if (!k) {
      continue;
    }
    documented += (documented.empty() ? "" : ", ") + *k;
    if (lower(*k) == media) {
      media_node.reset(kv.second);
    }
  }
  if (!media_node.IsDefined()) {
    out.push_back(label + ": content type '" + std::string(content_type) +
                  "' not documented (documented: " + documented + ")");
    return;
  }
  const bool is_json = media.size() >= 4 && (media == "application/json" ||
                                             media.compare(media.size() - 5, 5, "+json") == 0);
  if (!is_json) {
    return;
  }
  const YAML::Node schema = child(media_node, "schema");
  if (!schema.IsDefined()) {
    return;
  }
  problems body_problems;
  check_json_text(root, schema, body, label, body_problems);
  for (auto& p : body_problems) {
    out.push_back(p.rfind(label, 0) == 0 ? std::move(p) : label + ": body " + p);
  }
}

/// The first scheme name of a `security` requirement list; "" when empty.
[[nodiscard]] std::string security_name(const YAML::Node& security) {
  if (!is_seq(security) || security.size() == 0) {
    return {};
  }
  const YAML::Node first = security[0];
  if (!is_map(first) || first.size() == 0) {
    return {};
  }
  return scalar(first.begin()->first).value_or("");
}

void collect_header_params(const YAML::Node& root, const YAML::Node& params,
                           std::vector<std::string>& out) {
  if (!is_seq(params)) {
    return;
  }
  for (const auto& p_in : params) {
    const YAML::Node p = deref(root, p_in);
    if (!is_map(p)) {
      continue;
    }
    const auto in = scalar(child(p, "in"));
    const auto name = scalar(child(p, "name"));
    if (in && name && *in == "header" && std::find(out.begin(), out.end(), *name) == out.end()) {
      out.push_back(*name);
    }
  }
}

[[nodiscard]] std::string schema_ref_name(const YAML::Node& schema) {
  const auto ref = scalar(child(schema, "$ref"));
  const std::string prefix = "#/components/schemas/";
  if (!ref || ref->rfind(prefix, 0) != 0) {
    return {};
  }
  return ref->substr(prefix.size());
}

constexpr std::string_view http_methods[] = {"get",  "put",     "post",  "delete",
                                             "head", "options", "patch", "trace"};

[[nodiscard]] std::string index_document(detail::document_state& st) {
  const YAML::Node& root = st.root;
  if (!is_map(root)) {
    return "the document is not a YAML mapping";
  }
  const auto version = scalar(child(root, "openapi"));
  if (!version || version->rfind("3.", 0) != 0) {
    return "the document has no 'openapi: 3.x' version";
  }
  const YAML::Node paths = child(root, "paths");
  if (!is_map(paths)) {
    return "the document has no 'paths' mapping";
  }
  const YAML::Node root_security = child(root, "security");
  for (const auto& path_kv : paths) {
    const auto path = scalar(path_kv.first);
    const YAML::Node item = deref(root, path_kv.second);
    if (!path || !is_map(item)) {
      return "malformed path item";
    }
    for (const auto method : http_methods) {
      const YAML::Node op_node = child(item, std::string(method));
      if (!is_map(op_node)) {
        continue;
      }
      operation op;
      op.method = upper(method);
      op.path = *path;
      op.operation_id = scalar(child(op_node, "operationId")).value_or("");
      const YAML::Node sec = child(op_node, "security");
      op.security = security_name(sec.IsDefined() ? sec : root_security);
      collect_header_params(root, child(item, "parameters"), op.request_headers);
      collect_header_params(root, child(op_node, "parameters"), op.request_headers);
      const YAML::Node responses = child(op_node, "responses");
      if (!is_map(responses)) {
        return op.method + " " + op.path + " has no 'responses' mapping";
      }
      for (const auto& r : responses) {
        const auto key = scalar(r.first);
        const auto code = key ? status_key(*key) : std::nullopt;
        if (!code) {
          continue;
        }
        op.statuses.push_back(*code);
        std::vector<std::string> headers;
        const YAML::Node response = deref(root, r.second);
        if (!response.IsDefined()) {
          return op.method + " " + op.path + " " + *key + ": dangling response $ref";
        }
        if (const YAML::Node h = child(response, "headers"); is_map(h)) {
          for (const auto& hk : h) {
            if (const auto name = scalar(hk.first)) {
              headers.push_back(*name);
            }
          }
        }
        op.response_headers.emplace_back(*code, std::move(headers));
      }
      std::sort(op.statuses.begin(), op.statuses.end());
      std::sort(op.response_headers.begin(), op.response_headers.end());
      st.operations.push_back(std::move(op));
      st.operation_nodes.push_back(op_node);
    }
  }

  if (const YAML::Node hooks = child(root, "x-webhooks"); is_map(hooks)) {
    for (const auto& kv : hooks) {
      const auto type = scalar(kv.first);
      const YAML::Node post = child(kv.second, "post");
      if (!type || !is_map(post)) {
        continue;
      }
      webhook w;
      w.type = *type;
      if (const YAML::Node params = child(post, "parameters"); is_seq(params)) {
        for (const auto& p_in : params) {
          const YAML::Node p = deref(root, p_in);
          const auto in = scalar(child(p, "in"));
          const auto name = scalar(child(p, "name"));
          if (in && name && *in == "header" && is_true(child(p, "required"))) {
            w.required_headers.push_back(*name);
          }
        }
      }
      w.body_schema = schema_ref_name(
          child(child(child(child(post, "requestBody"), "content"), "application/json"), "schema"));
      st.webhooks.push_back(std::move(w));
    }
  }
  return {};
}

} // namespace

const std::vector<operation>& document::operations() const noexcept {
  return state_->operations;
}

const std::vector<webhook>& document::webhooks() const noexcept {
  return state_->webhooks;
}

const operation* document::find(std::string_view method,
                                std::string_view path_template) const noexcept {
  try {
    const std::string m = upper(method);
    for (const auto& op : state_->operations) {
      if (op.method == m && op.path == path_template) {
        return &op;
      }
    }
  } catch (...) {
    return nullptr;
  }
  return nullptr;
}

const operation* document::match(std::string_view method,
                                 std::string_view concrete_path) const noexcept {
  try {
    const std::string m = upper(method);
    const std::string_view path = strip_query(concrete_path);
    const operation* best = nullptr;
    int best_score = -1;
    for (const auto& op : state_->operations) {
      if (op.method != m) {
        continue;
      }
      const int score = template_score(op.path, path);
      if (score > best_score) {
        best = &op;
        best_score = score;
      }
    }
    return best;
  } catch (...) {
    return nullptr;
  }
}

std::vector<std::string> document::check_response(std::string_view method,
                                                  std::string_view concrete_path, int status,
                                                  std::string_view content_type,
                                                  std::string_view body_json_text) const {
  problems out;
  try {
    const YAML::Node& root = state_->root;
    const std::string label =
        upper(method) + " " + std::string(concrete_path) + " -> " + std::to_string(status);
    const operation* op = match(method, concrete_path);
    YAML::Node responses(YAML::NodeType::Undefined);
    std::string where;
    if (op != nullptr) {
      const auto idx = static_cast<std::size_t>(op - state_->operations.data());
      responses.reset(child(state_->operation_nodes[idx], "responses"));
      where = "operation " + op->method + " " + op->path;
    } else {
      const std::string_view path = strip_query(concrete_path);
      const bool path_known =
          std::any_of(state_->operations.begin(), state_->operations.end(),
                      [&](const operation& o) { return template_score(o.path, path) >= 0; });
      const char* section = path_known ? "unknownMethod" : "unknownPath";
      responses.reset(child(child(child(root, "x-dwt-unrouted"), section), "responses"));
      where = std::string("x-dwt-unrouted.") + section + " (no operation " + upper(method) +
              " for this path)";
    }
    const YAML::Node response = response_for(responses, status);
    if (!response.IsDefined()) {
      out.push_back(label + ": status " + std::to_string(status) + " is not documented for " +
                    where);
      return out;
    }
    check_against_response(root, response, content_type, body_json_text, label, out);
  } catch (const std::exception& e) {
    out.push_back(std::string("openapi_testkit internal error: ") + e.what());
  } catch (...) {
    out.push_back("openapi_testkit internal error");
  }
  return out;
}

std::vector<std::string> document::check_schema(std::string_view schema_name,
                                                std::string_view json_text) const {
  problems out;
  try {
    const YAML::Node& root = state_->root;
    const YAML::Node schema =
        child(child(child(root, "components"), "schemas"), std::string(schema_name));
    if (!schema.IsDefined()) {
      out.push_back("no schema components/schemas/" + std::string(schema_name));
      return out;
    }
    check_json_text(root, schema, json_text, std::string(schema_name), out);
    for (auto& p : out) {
      p = std::string(schema_name) + ": " + p;
    }
  } catch (const std::exception& e) {
    out.push_back(std::string("openapi_testkit internal error: ") + e.what());
  } catch (...) {
    out.push_back("openapi_testkit internal error");
  }
  return out;
}

load_result load(const std::filesystem::path& path) {
  load_result result;
  try {
    auto st = std::make_shared<detail::document_state>();
    st->root = YAML::LoadFile(path.string());
    if (std::string err = index_document(*st); !err.empty()) {
      result.error = path.string() + ": " + err;
      return result;
    }
    document doc;
    doc.state_ = std::move(st);
    result.doc = std::move(doc);
  } catch (const YAML::Exception& e) {
    result.error = path.string() + ": " + e.what();
  } catch (const std::exception& e) {
    result.error = path.string() + ": " + e.what();
  } catch (...) {
    result.error = path.string() + ": unknown error while loading";
  }
  return result;
}

std::string join(const std::vector<std::string>& problems_in) {
  std::string out;
  for (const auto& p : problems_in) {
    out += p;
    out += '\n';
  }
  return out;
}

} // namespace dwt::openapi_testkit
