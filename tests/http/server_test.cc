// The HTTP server itself: connections are served in parallel, so one slow
// request never holds up another customer at another till.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

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

// Reports and exports (Route::slow) run on the server's pool for slow
// requests: with ONE connection thread and two reports held mid-way, a till's
// request is still served at once; then both reports answer, and one that
// fails gives a 500 without its details.
TEST(ServerTest, SlowRoutesDoNotHoldTheConnectionThreads) {
  vipcare::testing::ServiceFixture fx;
  service::Accounts accounts(fx.env());
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  Router router;
  router.Add({"GET", "/report", false, service::Permission::kNone,
              [released, &started](const Request& req, const service::Actor*) {
                ++started;
                // Bounded, so a regression fails the test instead of hanging it.
                released.wait_for(std::chrono::seconds(20));
                if (req.query.count("fail") != 0) throw std::runtime_error("the report broke");
                return Response::Json({{"rows", 3}});
              },
              nullptr, /*slow=*/true});
  router.Add({"GET", "/fast", false, service::Permission::kNone,
              [](const Request&, const service::Actor*) { return Response::Json({{"fast", true}}); }});
  ServerOptions opt;
  opt.port = 0;
  opt.threads = 1;
  opt.slow_threads = 2;
  Server server(opt, router, accounts);
  server.Start();
  auto report = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "GET", "/report");
  });
  auto failing = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "GET", "/report?fail=1");
  });
  for (int i = 0; i < 2000 && started < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(started, 2) << "the second report did not start while the first ran";
  auto fast = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "GET", "/fast").status;
  });
  const bool fast_done = fast.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(fast_done) << "the connection thread waited for a report";
  EXPECT_EQ(fast.get(), 200);
  auto answered = report.get();
  EXPECT_EQ(answered.status, 200);
  EXPECT_NE(answered.body.find("rows"), std::string::npos);
  auto failed = failing.get();
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body.find("the report broke"), std::string::npos) << "internal details leaked";
  server.Stop();
}

// A route that answers later (a posting waiting for the group commit) does
// not hold the server's thread: with one thread, another request is served
// meanwhile, and the late answer (given from another thread) still arrives.
TEST(ServerTest, AnAnswerGivenLaterDoesNotHoldTheServersThread) {
  vipcare::testing::ServiceFixture fx;
  service::Accounts accounts(fx.env());
  std::mutex mu;
  std::vector<AsyncReply> parked;
  Router router;
  const auto park = [&](const Request& req, const service::Actor*, AsyncReply reply) {
    std::lock_guard lock(mu);
    parked.push_back(std::move(reply));
  };
  router.Add({"POST", "/later", false, service::Permission::kNone,
              [](const Request&, const service::Actor*) { return Response::Json({{"now", true}}); },
              park});
  router.Add({"GET", "/fast", false, service::Permission::kNone,
              [](const Request&, const service::Actor*) { return Response::Json({{"fast", true}}); }});
  ServerOptions opt;
  opt.port = 0;
  opt.threads = 1;
  Server server(opt, router, accounts);
  server.Start();
  auto later = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "POST", "/later", "{}");
  });
  auto failing = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "POST", "/later", "{}");
  });
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(mu);
      if (parked.size() == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Both parked on the one thread, which still serves /fast.
  auto fast = std::async(std::launch::async, [&] {
    return vipcare::testing::Request(server.port(), "GET", "/fast").status;
  });
  const bool fast_done = fast.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  std::vector<AsyncReply> replies;
  {
    std::lock_guard lock(mu);
    replies = parked;
  }
  ASSERT_EQ(replies.size(), 2u) << "the second request was not read while the first waited";
  std::thread([&] {
    replies[0]([] { return Response::Json({{"later", true}}, 201); });
    replies[1]([]() -> Response { throw std::runtime_error("the store broke"); });
  }).join();
  EXPECT_TRUE(fast_done) << "the thread waited for the late answer";
  EXPECT_EQ(fast.get(), 200);
  auto answered = later.get();
  auto failed = failing.get();
  // Which request parked first is up to the connections; one got each answer.
  if (answered.status != 201) std::swap(answered, failed);
  EXPECT_EQ(answered.status, 201);
  EXPECT_NE(answered.body.find("later"), std::string::npos);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body.find("the store broke"), std::string::npos) << "internal details leaked";
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
