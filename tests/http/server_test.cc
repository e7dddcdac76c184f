// The HTTP server itself: connections are served in parallel, so one slow
// request never holds up another customer at another till.
#include <gtest/gtest.h>

#include <future>

#include "http/server.h"
#include "testing/fixtures.h"
#include "testing/http_client.h"

namespace vipcare::http {
namespace {

TEST(ServerTest, ASlowRequestDoesNotBlockAnotherConnection) {
  vipcare::testing::ServiceFixture fx;
  service::Accounts accounts(fx.env());
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Router router;
  router.Add({"GET", "/slow", false, service::Permission::kNone,
              [released](const Request&, const service::Actor*) {
                // Held until the fast request has been answered; bounded so a
                // regression fails the test instead of hanging it.
                released.wait_for(std::chrono::seconds(20));
                return Response::Json({{"slow", true}});
              }});
  router.Add({"GET", "/fast", false, service::Permission::kNone,
              [](const Request&, const service::Actor*) { return Response::Json({{"fast", true}}); }});
  ServerOptions opt;
  opt.port = 0;
  opt.threads = 2;
  Server server(opt, router, accounts);
  server.Start();
  auto slow = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "GET", "/slow").status;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let /slow start
  auto fast = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "GET", "/fast").status;
  });
  // With every connection on one strand /fast would wait for /slow, which
  // waits for /fast: the wait below would run out.
  bool fast_done = fast.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(fast_done) << "the fast request waited behind the slow one";
  EXPECT_EQ(fast.get(), 200);
  EXPECT_EQ(slow.get(), 200);
  server.Stop();
}

}  // namespace
}  // namespace vipcare::http
