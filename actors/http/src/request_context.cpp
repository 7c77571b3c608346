#include "dwt/http/request_context.hpp"

namespace dwt::http {

namespace {
std::optional<std::string_view> find(const field_list& fields, std::string_view name) noexcept {
  for (const auto& [k, v] : fields)
    if (k == name)
      return std::string_view{v};
  return std::nullopt;
}
} // namespace

std::optional<std::string_view> request_context::header(std::string_view name) const noexcept {
  return find(headers, name);
}

std::optional<std::string_view> request_context::query_param(std::string_view name) const noexcept {
  return find(query, name);
}

std::string_view request_context::param(std::string_view name) const noexcept {
  return find(path_params, name).value_or(std::string_view{});
}

} // namespace dwt::http
