// src/http/care_api.h
#pragma once
#include "http/api.h"
#include "http/router.h"

namespace vipcare::http {

// Adds the care engine's routes (SPEC C1-C5): /api/v1/tasks and their
// complete / forward / assign actions, a member's tasks and contact log,
// the care rules and message templates, and the outbox. Handlers only parse,
// call service::Care and serialize; the service checks scope (P2) and masks
// members per viewer (P3). docs/openapi.json describes each route.
void AddCareRoutes(Router& router, Services s);

}  // namespace vipcare::http
