#include "dwt/networks/mdes/error_response.hpp"

namespace dwt::networks::mdes {

boost::json::object to_json(const error_response& e) {
  boost::json::object out;
  if (!e.response_id.empty())
    out["responseId"] = e.response_id;
  if (!e.error_code.empty())
    out["errorCode"] = e.error_code;
  if (!e.error_description.empty())
    out["errorDescription"] = e.error_description;
  return out;
}

} // namespace dwt::networks::mdes
