#include "station/tools/stationctl_hall.hpp"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "station/web/hall.hpp"

namespace tallystation::station::ctl {

namespace {

struct HallArgs {
  std::uint16_t port = 0;
  std::string port_file, lang, data, out = ".";
};

// Serves until SIGINT or SIGTERM. The signals are blocked in every thread (the hall's threads
// inherit the mask) and taken by one thread with sigwait, which stops the hall: no work is done
// in a signal handler.
void serve(web::HallOptions options, const HallArgs& a) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<web::Hall> hall;
  try {
    hall = std::make_unique<web::Hall>(std::move(options));
  } catch (const web::HallError& e) {
    throw CtlError(e.code, e.what());
  }
  if (!a.port_file.empty()) {
    std::ofstream f(a.port_file, std::ios::trunc);
    f << hall->port() << "\n";
    if (!f.flush()) throw CtlError("io", a.port_file + ": cannot be written");
  }
  const bool console = hall->url().find("#k=") != std::string::npos;
  std::cout << (console ? "console: " : "display: ") << hall->url() << std::endl;
  std::thread waiter([&] {
    int got = 0;
    sigwait(&signals, &got);
    hall->stop();
  });
  hall->run();
  waiter.join();
}

}  // namespace

void add_hall_subcommands(const AddHallSubcommand& add) {
  auto a = std::make_shared<HallArgs>();
  auto common = [&](CLI::App* s) {
    s->add_option("--port", a->port, "port on 127.0.0.1 (0: a free one, printed)")
        ->capture_default_str();
    s->add_option("--port-file", a->port_file, "also write the port number to this file");
    s->add_option("--lang", a->lang,
                  "language of the pages: vi (tiếng Việt) or en (English); default: the "
                  "session's")
        ->check(CLI::IsMember({"en", "vi"}));
  };
  CLI::App* display = add(
      "display",
      "serve the hall display (the projector page) on 127.0.0.1 until interrupted: attendance, "
      "voting progress, results with chart and certification (docs/hall.md)",
      false, [a](const LinkOptions& link, const Signer&) {
        web::HallOptions o;
        o.mode = web::Mode::display;
        o.link = link;
        o.language = a->lang;
        o.port = a->port;
        serve(std::move(o), *a);
      });
  common(display);
  CLI::App* console = add(
      "console",
      "serve the officials' console on 127.0.0.1 until interrupted: every step of the congress "
      "in the browser, signed here with --key (docs/hall.md)",
      true, [a](const LinkOptions& link, const Signer& signer) {
        web::HallOptions o;
        o.mode = web::Mode::console;
        o.link = link;
        o.language = a->lang;
        o.port = a->port;
        if (signer.key_file.empty()) {
          throw CtlError("usage", "the console signs: give --key KEY (or TALLY_KEY)");
        }
        o.key = load_key(signer.key_file);
        o.official = signer.official;
        o.data_dir = a->data;
        o.out_dir = a->out;
        serve(std::move(o), *a);
      });
  common(console);
  console->add_option("--data", a->data,
                      "the station's data directory on this machine, for exporting the audit "
                      "bundle from the console");
  console->add_option("--out", a->out,
                      "directory for the token files, slips and bundles the console writes")
      ->capture_default_str();
}

}  // namespace tallystation::station::ctl
