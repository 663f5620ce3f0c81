#include "datagram_queue.h"

namespace directsockets {

uint8_t* DatagramQueue::push(const Endpoint& from, size_t len) {
  queue_.push_back(Datagram{from, std::vector<uint8_t>(len)});
  bytes_ += charge(len);
  return queue_.back().data.data();
}

void DatagramQueue::pop() {
  bytes_ -= charge(queue_.front().data.size());
  queue_.pop_front();
}

} // namespace directsockets
