#include "dwt/networks/mdes/acknowledgement.hpp"

namespace dwt::networks::mdes {

boost::json::object to_json(const acknowledgement& a) {
  boost::json::object out;
  if (!a.response_id.empty())
    out["responseId"] = a.response_id;
  return out;
}

} // namespace dwt::networks::mdes
