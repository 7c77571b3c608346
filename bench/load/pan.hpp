#pragma once
/// \file
/// Luhn-valid card numbers for load generation.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace dwt::load {

/// The Luhn check digit for `digits` (the number without its check digit).
[[nodiscard]] char luhn_check_digit(std::string_view digits) noexcept;
/// True if `number` is all digits and passes the Luhn check.
[[nodiscard]] bool luhn_valid(std::string_view number) noexcept;
/// A 16-digit Luhn-valid PAN whose 6-digit BIN is in [bin_low, bin_high].
[[nodiscard]] std::string generate_pan(std::mt19937_64& rng, std::uint32_t bin_low = 400000,
                                       std::uint32_t bin_high = 499999);

} // namespace dwt::load
