#include "http_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace dwt::outbound::detail {

std::optional<parsed_url> parse_url(std::string_view text) {
  namespace urls = boost::urls;
  auto r = urls::parse_absolute_uri(text);
  if (!r)
    return std::nullopt;
  const urls::url_view u = *r;
  parsed_url out;
  if (u.scheme_id() == urls::scheme::https)
    out.tls = true;
  else if (u.scheme_id() != urls::scheme::http)
    return std::nullopt;
  if (!u.has_authority() || u.has_userinfo())
    return std::nullopt;
  switch (u.host_type()) {
  case urls::host_type::name:
    out.host = u.host_name();
    break;
  case urls::host_type::ipv4:
    out.host = u.host_ipv4_address().to_string();
    out.host_is_ip = true;
    break;
  case urls::host_type::ipv6:
    out.host = u.host_ipv6_address().to_string();
    out.host_is_ip = true;
    break;
  default:
    return std::nullopt;
  }
  if (out.host.empty())
    return std::nullopt;
  out.port = u.has_port() && !u.port().empty() ? std::string{u.port()}
                                               : std::string{out.tls ? "443" : "80"};
  out.host_header = std::string{u.encoded_host_and_port()};
  const std::string_view path = u.encoded_path();
  const std::string_view query = u.encoded_query();
  out.target.reserve(path.size() + query.size() + 2);
  out.target.assign(path.empty() ? std::string_view{"/"} : path);
  if (u.has_query()) {
    out.target.push_back('?');
    out.target.append(query);
  }
  out.pool_key.reserve(out.host.size() + out.port.size() + 9);
  out.pool_key.append(out.tls ? "https://" : "http://")
      .append(out.host)
      .append(":")
      .append(out.port);
  return out;
}

} // namespace dwt::outbound::detail
