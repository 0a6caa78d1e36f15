#ifndef TRANSPORT_TIME_TASK_H_
#define TRANSPORT_TIME_TASK_H_

#include <memory>
#include <type_traits>
#include <utility>

namespace comodal {

// A move-only `void()` callable (std::move_only_function is C++23), so tasks may own what they
// capture (buffers, unique_ptrs).
class Task {
 public:
  Task() = default;
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Task> &&
                                                    std::is_invocable_r_v<void, F&>>>
  Task(F&& f)  // NOLINT(google-explicit-constructor): lambdas convert to tasks.
      : impl_(std::make_unique<Model<std::decay_t<F>>>(std::forward<F>(f))) {}

  Task(Task&&) noexcept = default;
  Task& operator=(Task&&) noexcept = default;

  explicit operator bool() const { return impl_ != nullptr; }
  void operator()() { impl_->Call(); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void Call() = 0;
  };
  template <typename F>
  struct Model final : Concept {
    explicit Model(F&& f) : fn(std::move(f)) {}
    explicit Model(const F& f) : fn(f) {}
    void Call() override { fn(); }
    F fn;
  };
  std::unique_ptr<Concept> impl_;
};

}  // namespace comodal

#endif  // TRANSPORT_TIME_TASK_H_
