#pragma once
// One accepted TLS connection of the Server (internal to station/net): the handshake, then
// keep-alive request/response rounds under the limits and timeouts of ServerOptions, each request
// handed to the Handler. Protocol details and error codes: docs/network.md.
//
// A Connection lives on its own strand (or on the single I/O thread); run(), stop() and
// force_close() must be called there.
// The Server owns it through a shared_ptr; a Responder still held by the handler keeps alive only
// the small state that receives the response, never the socket.
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "station/app/handler.hpp"
#include "station/net/request_log.hpp"
#include "station/net/server.hpp"

namespace tallystation::station::net::detail {

// Answers coming back from the application's threads (worker pool, writer), handed to the I/O
// threads in batches: the first answer posts one handler to the I/O threads, and answers that
// arrive before it runs join it. A group commit of many ballots thus wakes an I/O thread once,
// not once per ballot. Thread safe; defined in connection.cpp.
class AnswerInbox;

// What every connection of one server shares. Read-only after Server::open, except the TLS
// context, which OpenSSL makes safe to share between threads, and the inbox (thread safe).
struct ConnectionContext {
  ServerOptions options;
  Handler& handler;
  RequestLog& log;
  boost::asio::ssl::context tls;
  std::shared_ptr<AnswerInbox> inbox;  // set by Server::open
};

// The inbox of a server whose I/O threads run ex (single_thread: exactly one I/O thread, so a
// connection's executor is ex itself and answers are delivered in place).
std::shared_ptr<AnswerInbox> make_answer_inbox(const boost::asio::any_io_executor& ex,
                                               bool single_thread);

class Connection {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ConnectionContext& ctx, std::string peer);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::any_io_executor executor() const;
  const std::string& peer() const noexcept;

  // Serves the connection until it closes. Call once.
  boost::asio::awaitable<void> run();
  // Shutdown: no more requests. A connection waiting for or reading a request closes now; one
  // whose request is with the handler closes after writing that response.
  void stop();
  // Shutdown timeout: closes the socket whatever the connection is doing.
  void force_close();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tallystation::station::net::detail
