// The HTTP server itself: connections are served in parallel, so one slow
// request never holds up another customer at another till.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

// The web UI's files: the page itself for "/", assets by name, and a plain 404
// for an asset that is not there (a stale page asking for the script of an
// older build must not get index.html back as "JavaScript": a blank screen).
TEST(ServerTest, ServesTheUiFilesAndAnswers404ForAMissingAsset) {
  vipcare::testing::ServiceFixture fx;
  service::Accounts accounts(fx.env());
  const auto root = std::filesystem::temp_directory_path() /
                    ("vipcare-web-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<html>vipcare</html>";
  std::ofstream(root / "assets" / "app-1.js") << "console.log(1)";
  Router router;
  ServerOptions opt;
  opt.port = 0;
  opt.threads = 1;
  opt.web_root = root.string();
  Server server(opt, router, accounts);
  server.Start();
  auto page = vipcare::testing::Request(server.port(), "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<html>vipcare</html>");
  auto script = vipcare::testing::Request(server.port(), "GET", "/assets/app-1.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_EQ(vipcare::testing::Request(server.port(), "GET", "/assets/app-0.js").status, 404);
  EXPECT_EQ(vipcare::testing::Request(server.port(), "GET", "/favicon.ico").status, 404);
  EXPECT_EQ(vipcare::testing::Request(server.port(), "GET", "/../index.html").status, 404);
  server.Stop();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace vipcare::http
