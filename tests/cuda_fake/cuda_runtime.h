/*
 * cuda_runtime.h (fake) - the part of the CUDA runtime da3bench's host code
 * uses, on the CPU, so kernels/cuda/attention_cuda.cu and prefetch_cuda.cu
 * run in a test on a machine without a GPU (tests/test_cuda_host.cc).
 *
 * Streams are real: each is a worker thread running its operations in
 * order, so two streams run at the same time as on a GPU, and an operation
 * ordered only by events really depends on them. Every asynchronous copy
 * first sleeps a little (fake_copy_delay_us), so a missing event or a host
 * buffer reused before its copy finished shows as wrong data, not luck.
 * Kernels run through kernels/cuda/emulate.h, one launch at a time.
 * Device memory is host memory, filled with garbage when allocated. As the
 * runtime documents: cudaMemcpy host to device returns once the source is
 * staged (the copy lands later, on the default stream), device to host
 * waits for the default stream, cudaMemset is asynchronous on it, and
 * streams created non-blocking never wait for the default stream.
 */
#ifndef DA3_FAKE_CUDA_RUNTIME_H
#define DA3_FAKE_CUDA_RUNTIME_H

#define DA3_CUDA_EMULATE 1
#include "../../kernels/cuda/emulate.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

enum cudaError_t { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2 };
enum cudaMemcpyKind { cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice };
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize };
#define cudaStreamNonBlocking 1u
#define cudaEventDisableTiming 2u
#define cudaHostAllocDefault 0u

inline const char *cudaGetErrorString(cudaError_t e) { return e ? "fake error" : "no error"; }
inline const char *cudaGetErrorName(cudaError_t e) { return e ? "cudaErrorFake" : "cudaSuccess"; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }

/* ---- streams ---- */
struct fake_stream {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> q;
    bool busy = false, stop = false;
    std::thread worker;
    fake_stream()
    {
        worker = std::thread([this] {
            std::unique_lock<std::mutex> lk(mu);
            for (;;) {
                cv.wait(lk, [&] { return stop || !q.empty(); });
                if (q.empty())
                    return;
                auto f = std::move(q.front());
                q.pop_front();
                busy = true;
                lk.unlock();
                f();
                lk.lock();
                busy = false;
                cv.notify_all();
            }
        });
    }
    ~fake_stream()
    {
        {
            std::lock_guard<std::mutex> lk(mu);
            stop = true;
        }
        cv.notify_all();
        worker.join();
    }
    void push(std::function<void()> f)
    {
        std::lock_guard<std::mutex> lk(mu);
        q.push_back(std::move(f));
        cv.notify_all();
    }
    void drain()
    {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return q.empty() && !busy; });
    }
};
typedef fake_stream *cudaStream_t;

inline fake_stream &fake_default_stream()
{
    static fake_stream s;
    return s;
}
inline std::mutex fake_streams_mu;
inline std::vector<fake_stream *> fake_streams; /* for cudaDeviceSynchronize */
inline fake_stream &fake_resolve(cudaStream_t s) { return s ? *s : fake_default_stream(); }
inline int fake_copy_delay_us = 300;
inline std::mutex fake_launch_mu; /* emulate.h runs one grid at a time */

template <class F> void fake_launch(cudaStream_t s, dim3 grid, dim3 block, size_t smem, F body)
{
    fake_resolve(s).push([=] {
        std::lock_guard<std::mutex> lk(fake_launch_mu);
        emu::launch(grid, block, smem, body);
    });
}

inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned)
{
    *s = new fake_stream;
    std::lock_guard<std::mutex> lk(fake_streams_mu);
    fake_streams.push_back(*s);
    return cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize()
{
    fake_default_stream().drain();
    std::lock_guard<std::mutex> lk(fake_streams_mu);
    for (fake_stream *s : fake_streams)
        s->drain();
    return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    fake_resolve(s).drain();
    return cudaSuccess;
}
inline cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    {
        std::lock_guard<std::mutex> lk(fake_streams_mu);
        for (auto it = fake_streams.begin(); it != fake_streams.end(); ++it)
            if (*it == s) {
                fake_streams.erase(it);
                break;
            }
    }
    delete s;
    return cudaSuccess;
}

/* ---- events: a recorded generation completes when its stream reaches it ---- */
struct fake_event {
    std::mutex mu;
    std::condition_variable cv;
    long recorded = 0, done = 0;
    std::chrono::steady_clock::time_point at;
};
typedef fake_event *cudaEvent_t;

inline cudaError_t cudaEventCreate(cudaEvent_t *e)
{
    *e = new fake_event;
    return cudaSuccess;
}
inline cudaError_t cudaEventCreateWithFlags(cudaEvent_t *e, unsigned) { return cudaEventCreate(e); }
inline void fake_event_wait(cudaEvent_t e, long gen);
/* as the runtime: an event still to be reached by its stream is released
 * once it is (here: the caller waits for that, then frees it) */
inline cudaError_t cudaEventDestroy(cudaEvent_t e)
{
    long gen;
    {
        std::lock_guard<std::mutex> lk(e->mu);
        gen = e->recorded;
    }
    fake_event_wait(e, gen);
    delete e;
    return cudaSuccess;
}
inline cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = nullptr)
{
    long gen;
    {
        std::lock_guard<std::mutex> lk(e->mu);
        gen = ++e->recorded;
    }
    fake_resolve(s).push([e, gen] {
        std::lock_guard<std::mutex> lk(e->mu);
        e->done = gen > e->done ? gen : e->done;
        e->at = std::chrono::steady_clock::now();
        e->cv.notify_all();
    });
    return cudaSuccess;
}
inline void fake_event_wait(cudaEvent_t e, long gen)
{
    std::unique_lock<std::mutex> lk(e->mu);
    e->cv.wait(lk, [&] { return e->done >= gen; });
}
inline cudaError_t cudaEventSynchronize(cudaEvent_t e)
{
    long gen;
    {
        std::lock_guard<std::mutex> lk(e->mu);
        gen = e->recorded;
    }
    fake_event_wait(e, gen);
    return cudaSuccess;
}
inline cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned)
{
    long gen;
    {
        std::lock_guard<std::mutex> lk(e->mu);
        gen = e->recorded; /* the most recent record at the time of the call */
    }
    fake_resolve(s).push([e, gen] { fake_event_wait(e, gen); });
    return cudaSuccess;
}
inline cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b)
{
    *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
    return cudaSuccess;
}

/* ---- memory ---- */
inline cudaError_t fake_alloc(void **p, size_t bytes)
{
    *p = std::malloc(bytes ? bytes : 1);
    if (*p) /* garbage, not zeros: a read before a write shows */
        std::memset(*p, 0x7f, bytes);
    return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
template <class T> cudaError_t cudaMalloc(T **p, size_t bytes)
{
    return fake_alloc(reinterpret_cast<void **>(p), bytes);
}
inline cudaError_t cudaFree(void *p)
{
    std::free(p);
    return cudaSuccess;
}
inline cudaError_t cudaHostAlloc(void **p, size_t bytes, unsigned) { return fake_alloc(p, bytes); }
inline cudaError_t cudaFreeHost(void *p) { return cudaFree(p); }
inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind)
{
    if (kind == cudaMemcpyHostToDevice) { /* staged; lands later on the default stream */
        std::shared_ptr<char[]> staged(new char[bytes ? bytes : 1]);
        std::memcpy(staged.get(), src, bytes);
        fake_default_stream().push([=] {
            std::this_thread::sleep_for(std::chrono::microseconds(fake_copy_delay_us));
            std::memcpy(dst, staged.get(), bytes);
        });
        return cudaSuccess;
    }
    fake_default_stream().drain();
    std::memcpy(dst, src, bytes);
    return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind,
                                   cudaStream_t s)
{
    fake_resolve(s).push([=] {
        std::this_thread::sleep_for(std::chrono::microseconds(fake_copy_delay_us));
        std::memcpy(dst, src, bytes);
    });
    return cudaSuccess;
}
inline cudaError_t cudaMemsetAsync(void *p, int v, size_t bytes, cudaStream_t s)
{
    fake_resolve(s).push([=] { std::memset(p, v, bytes); });
    return cudaSuccess;
}
inline cudaError_t cudaMemset(void *p, int v, size_t bytes)
{
    return cudaMemsetAsync(p, v, bytes, nullptr);
}
/* the device: an H100's shared-memory limit unless a test sets another */
enum cudaDeviceAttr { cudaDevAttrMaxSharedMemoryPerBlockOptin };
inline int fake_smem_optin = 227 * 1024;
inline cudaError_t cudaDeviceGetAttribute(int *v, cudaDeviceAttr, int)
{
    *v = fake_smem_optin;
    return cudaSuccess;
}
/* refuses what the real one refuses: more than the device allows */
template <class F> cudaError_t cudaFuncSetAttribute(F, cudaFuncAttribute, int bytes)
{
    return bytes <= fake_smem_optin ? cudaSuccess : cudaErrorInvalidValue;
}

#endif
