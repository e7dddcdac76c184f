// src/store/page.h
#pragma once
#include <cstdint>
#include <vector>

namespace vipcare::store {

// One page of a list: at most `limit` rows after skipping `offset`.
struct Page {
  int64_t limit = 50;
  int64_t offset = 0;
};

// A page of rows and the number of rows the whole list holds.
template <class T>
struct PageOf {
  std::vector<T> items;
  int64_t total = 0;
};

}  // namespace vipcare::store
