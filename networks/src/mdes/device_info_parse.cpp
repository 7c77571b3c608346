#include "device_info_parse.hpp"

#include <utility>

#include "../json_fields.hpp"

namespace dwt::networks::detail {

caf::error read_device_info(const boost::json::object& obj, std::optional<mdes::device_info>& out) {
  namespace lim = mdes::authorize_service_limits;
  out.reset();
  const boost::json::object* d = nullptr;
  if (auto err = detail::read_object(obj, "deviceInfo", d))
    return err;
  if (d == nullptr)
    return {};
  mdes::device_info dev;
  constexpr std::string_view path = "deviceInfo";
  const std::pair<std::string_view, std::string*> fields[] = {
      {"deviceName", &dev.device_name},
      {"serialNumber", &dev.serial_number},
      {"formFactor", &dev.form_factor},
      {"isoDeviceType", &dev.iso_device_type},
      {"osName", &dev.os_name},
      {"osVersion", &dev.os_version},
      {"imei", &dev.imei},
      {"msisdn", &dev.msisdn},
      {"storageTechnology", &dev.storage_technology},
  };
  for (const auto& [name, target] : fields)
    if (auto err = detail::read_text(*d, name, lim::max_device_text, *target, path))
      return err;
  if (auto err = detail::read_string_array(*d, "paymentTypes", lim::max_payment_types,
                                           lim::max_enum_text, dev.payment_types, path))
    return err;
  out = std::move(dev);
  return {};
}

} // namespace dwt::networks::detail
