// Card products and their BIN ranges.
#include <set>

#include "sections.hpp"

namespace dwt::config::detail {

namespace {

std::uint8_t digit_count(std::int64_t v) noexcept {
  std::uint8_t n = 0;
  do {
    ++n;
    v /= 10;
  } while (v > 0);
  return n;
}

} // namespace

void read_card_products(table_reader& root, std::vector<engine::card_product>& out) {
  const toml::array* arr = root.array("card_products");
  if (arr == nullptr)
    return;
  std::set<std::string> names;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string path = "card_products[" + std::to_string(i) + "]";
    const auto* t = (*arr)[i].as_table();
    if (t == nullptr) {
      root.diag().add(errc::wrong_type, path, "expected a table ([[card_products]])");
      continue;
    }
    table_reader r{*t, path, root.diag()};
    engine::card_product product;
    if (r.string("name", product.name, true) && !names.insert(product.name).second)
      r.diag().add(errc::invalid_value, r.path_of("name"),
                   "duplicate card product " + product.name);
    r.boolean("tokenization_enabled", product.tokenization_enabled);
    if (const toml::array* bins = r.array("bins", true)) {
      if (bins->empty())
        r.diag().add(errc::invalid_value, r.path_of("bins"), "needs at least one BIN range");
      for (std::size_t j = 0; j < bins->size(); ++j) {
        const std::string bin_path = r.path_of("bins") + "[" + std::to_string(j) + "]";
        const auto* bt = (*bins)[j].as_table();
        if (bt == nullptr) {
          r.diag().add(errc::wrong_type, bin_path, "expected a table {low = ..., high = ...}");
          continue;
        }
        table_reader b{*bt, bin_path, r.diag()};
        std::int64_t low = 0;
        std::int64_t high = 0;
        const bool ok_low = b.integer("low", low, 100000, 99999999, true);
        const bool ok_high = b.integer("high", high, 100000, 99999999, true);
        b.finish();
        if (!ok_low || !ok_high)
          continue;
        if (digit_count(low) != digit_count(high)) {
          r.diag().add(errc::invalid_value, bin_path,
                       "low and high must have the same number of digits (6 to 8)");
          continue;
        }
        if (low > high) {
          r.diag().add(errc::invalid_value, bin_path, "low must not exceed high");
          continue;
        }
        product.bins.push_back(engine::bin_range{
            static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(high), digit_count(low)});
      }
    }
    r.finish();
    out.push_back(std::move(product));
  }
}

} // namespace dwt::config::detail
