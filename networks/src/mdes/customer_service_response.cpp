/// Customer Service API answers: the success shape and the error shape.

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "../json_fields.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/customer_service.hpp"

namespace dwt::networks::mdes {

namespace {

namespace cs_lim = customer_service_limits;

caf::expected<boost::json::value> parse_body(std::string_view body) {
  if (body.size() > cs_lim::max_response_bytes)
    return make_error(errc::payload_too_large, "the answer is larger than its limit");
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 16;
  auto value = boost::json::parse(body, ec, {}, opts);
  if (ec || !value.is_object())
    return make_error(errc::invalid_json, "the answer is not a JSON object");
  return value;
}

caf::error cs_text(const boost::json::object& obj, std::string_view name, std::string& out,
                   std::string_view path) {
  std::optional<std::string> v;
  if (auto err = detail::read_string(obj, name, cs_lim::max_response_text, v, path))
    return err;
  if (v)
    out = std::move(*v);
  return {};
}

/// The items of `name`: an array of objects, or one object.
caf::error cs_items(const boost::json::object& obj, std::string_view name, std::string_view path,
                    std::vector<const boost::json::object*>& out) {
  out.clear();
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  if (const auto* o = v->if_object()) {
    out.push_back(o);
    return {};
  }
  const auto* arr = v->if_array();
  if (arr == nullptr)
    return make_error(errc::invalid_field,
                      detail::field_path(path, name) + " must be an object or an array");
  if (arr->size() > cs_lim::max_items)
    return make_error(errc::invalid_field, detail::field_path(path, name) + " has too many items");
  for (const auto& item : *arr) {
    const auto* o = item.if_object();
    if (o == nullptr)
      return make_error(errc::invalid_field,
                        detail::field_path(path, name) + " items must be objects");
    out.push_back(o);
  }
  return {};
}

caf::expected<cs_response> read_response(cs_operation op, const boost::json::object& obj) {
  const auto root_name = response_root(op);
  const boost::json::object* root = nullptr;
  if (auto err = detail::read_object(obj, root_name, root))
    return err;
  if (root == nullptr)
    return make_error(errc::missing_field, std::string{root_name} + " is required");
  std::vector<const boost::json::object*> items;
  const std::string path = std::string{root_name};
  if (auto err = cs_items(*root, "Token", path, items))
    return err;
  cs_response out;
  const std::string token_path = path + ".Token";
  for (const auto* t : items) {
    cs_token_result r;
    if (auto err = cs_text(*t, "TokenUniqueReference", r.token_unique_reference, token_path))
      return err;
    if (auto err = cs_text(*t, "CommentId", r.comment_id, token_path))
      return err;
    out.tokens.push_back(std::move(r));
  }
  return out;
}

caf::error read_recoverable(const boost::json::object& obj, bool& out) {
  out = false;
  const auto* v = obj.if_contains("Recoverable");
  if (v == nullptr || v->is_null())
    return {};
  if (v->is_bool()) {
    out = v->get_bool();
    return {};
  }
  if (const auto* s = v->if_string()) {
    if (*s == "true" || *s == "TRUE" || *s == "True") {
      out = true;
      return {};
    }
    if (*s == "false" || *s == "FALSE" || *s == "False")
      return {};
  }
  return make_error(errc::invalid_field, "Errors.Error.Recoverable must be true or false");
}

caf::expected<cs_errors> read_errors(const boost::json::object& obj) {
  const boost::json::object* root = nullptr;
  if (auto err = detail::read_object(obj, "Errors", root))
    return err;
  if (root == nullptr)
    return make_error(errc::missing_field, "Errors is required");
  std::vector<const boost::json::object*> items;
  if (auto err = cs_items(*root, "Error", "Errors", items))
    return err;
  if (items.empty())
    return make_error(errc::missing_field, "Errors.Error is required");
  cs_errors out;
  constexpr std::string_view path = "Errors.Error";
  for (const auto* e : items) {
    cs_error r;
    if (auto err = cs_text(*e, "Source", r.source, path))
      return err;
    if (auto err = cs_text(*e, "ReasonCode", r.reason_code, path))
      return err;
    if (auto err = cs_text(*e, "Description", r.description, path))
      return err;
    if (auto err = cs_text(*e, "Details", r.details, path))
      return err;
    if (auto err = read_recoverable(*e, r.recoverable))
      return err;
    out.errors.push_back(std::move(r));
  }
  return out;
}

} // namespace

bool cs_errors::recoverable() const noexcept {
  if (errors.empty())
    return false;
  for (const auto& e : errors)
    if (!e.recoverable)
      return false;
  return true;
}

caf::expected<cs_response> parse_cs_response(cs_operation op, std::string_view body) {
  auto v = parse_body(body);
  if (!v)
    return std::move(v.error());
  return read_response(op, v->get_object());
}

caf::expected<cs_errors> parse_cs_errors(std::string_view body) {
  auto v = parse_body(body);
  if (!v)
    return std::move(v.error());
  return read_errors(v->get_object());
}

caf::expected<std::variant<cs_response, cs_errors>> parse_cs_reply(cs_operation op,
                                                                   std::string_view body) {
  auto v = parse_body(body);
  if (!v)
    return std::move(v.error());
  const auto& obj = v->get_object();
  if (obj.contains("Errors")) {
    auto e = read_errors(obj);
    if (!e)
      return std::move(e.error());
    return std::variant<cs_response, cs_errors>{std::move(*e)};
  }
  auto r = read_response(op, obj);
  if (!r)
    return std::move(r.error());
  return std::variant<cs_response, cs_errors>{std::move(*r)};
}

} // namespace dwt::networks::mdes
