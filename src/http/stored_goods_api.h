// src/http/stored_goods_api.h
#pragma once
#include "http/api.h"
#include "http/router.h"

namespace vipcare::http {

// Adds the routes of stored goods (存货领用提醒, SPEC C6):
// /api/v1/members/{id}/stored-goods (list, store) and
// /api/v1/members/{id}/stored-goods/{goods_id}/collect. Handlers only parse,
// call service::StoredGoods and serialize; the service checks the member's
// scope and the store (P2). docs/openapi.json describes each route.
void AddStoredGoodsRoutes(Router& router, Services s);

}  // namespace vipcare::http
