/*
 * emulate.h - the CUDA execution model on the CPU, for the unit tests only.
 *
 * This machine has nvcc but no GPU, so the device code of kernels/cuda/ is
 * also compiled as C++ and run here: emu::launch() runs the blocks of a
 * grid one after another, each as blockDim real threads (a team of
 * std::threads started once and reused), so
 * __syncthreads() is a real barrier and __shared__ (a static local: one
 * block lives at a time) is really shared. Warp operations (shuffles, the
 * tf32 mma) are collective over the 32 threads of a warp through a per-warp
 * exchange area and barrier, with the operand layouts of the PTX ISA.
 *
 * Warps take turns: from the start of a block to its first __syncthreads,
 * and between two of them, one warp runs at a time (its 32 threads
 * together), in warp order in even blocks and reverse order in odd ones.
 * A missing __syncthreads then gives a wrong result deterministically (a
 * warp reads shared memory another has already overwritten, or not yet
 * written) instead of by chance.
 *
 * It checks the algorithm (tiling, masking, online softmax, barriers,
 * fragment layouts as this file encodes them), not the hardware: timings,
 * the memory model and the real mma layouts are the GPU's to confirm.
 */
#ifndef DA3_CUDA_EMULATE_H
#define DA3_CUDA_EMULATE_H

#include <barrier>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <cstring>
#include <functional>
#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
    dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct float4 {
    float x, y, z, w;
};
struct float2 {
    float x, y;
};
static inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }

namespace emu {

struct warp_area {
    std::barrier<> bar{32};
    uint32_t slot[32][10];
};

/* The block: its warps' areas, and the turns between its barriers. */
struct block_area {
    block_area(unsigned n, bool reverse) : nthreads(n), warps(n / 32), arrived(n / 32, 0) {
        for (auto &w : warps)
            w = std::make_unique<warp_area>();
        for (unsigned i = 0; i < n / 32; i++)
            order.push_back(reverse ? n / 32 - 1 - i : i);
    }
    unsigned nthreads;
    std::vector<std::unique_ptr<warp_area>> warps;
    std::vector<unsigned> order, arrived;
    unsigned turn = 0, total = 0, generation = 0;
    std::mutex mu;
    std::condition_variable cv;

    void wait_turn(std::unique_lock<std::mutex> &lk, unsigned w)
    {
        cv.wait(lk, [&] { return turn < order.size() && order[turn] == w; });
    }
    void begin(unsigned w)
    {
        std::unique_lock<std::mutex> lk(mu);
        wait_turn(lk, w);
    }
    /* __syncthreads, and a thread's end (last = true: no waiting after) */
    void sync(unsigned w, bool last)
    {
        std::unique_lock<std::mutex> lk(mu);
        bool wake = false;
        if (++arrived[w] == 32)
            turn++, wake = true; /* this warp's phase is over: the next warp's turn */
        const unsigned gen = generation;
        if (++total == nthreads) {
            total = 0, turn = 0, generation++, wake = true;
            std::fill(arrived.begin(), arrived.end(), 0u);
        }
        if (wake) /* only a new turn or phase lets anyone on */
            cv.notify_all();
        if (last)
            return;
        cv.wait(lk, [&] { return generation != gen; });
        wait_turn(lk, w);
    }
};

inline thread_local dim3 tid, bid;
inline thread_local block_area *blk;
inline dim3 bdim, gdim;
inline std::vector<float4> dyn_smem; /* extern __shared__, one block at a time */

/* The threads that play a block's threads: started once, reused by every
 * block of every launch (creating them per block costs more than the
 * kernels). Worker t runs job(t) each time the generation moves. */
struct thread_team {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::thread> workers;
    std::function<void(unsigned)> job;
    unsigned active = 0, running = 0;
    unsigned long generation = 0;
    bool stop = false;

    ~thread_team()
    {
        {
            std::lock_guard<std::mutex> lk(mu);
            stop = true;
        }
        cv.notify_all();
        for (auto &w : workers)
            w.join();
    }
    void work(unsigned t)
    {
        unsigned long seen = 0;
        std::unique_lock<std::mutex> lk(mu);
        for (;;) {
            cv.wait(lk, [&] { return stop || (generation != seen && t < active); });
            if (stop)
                return;
            seen = generation;
            lk.unlock();
            job(t);
            lk.lock();
            if (--running == 0)
                cv.notify_all();
        }
    }
    /* runs f(0) .. f(n-1) on n threads at once, returns when all are done */
    void run(unsigned n, std::function<void(unsigned)> f)
    {
        std::unique_lock<std::mutex> lk(mu);
        while (workers.size() < n) {
            const unsigned t = (unsigned)workers.size();
            workers.emplace_back([this, t] { work(t); });
        }
        job = std::move(f);
        active = running = n;
        generation++;
        cv.notify_all();
        cv.wait(lk, [&] { return running == 0; });
    }
};

inline thread_team &team()
{
    static thread_team t;
    return t;
}

/* Runs kernel() as grid x block threads; block.x * block.y a multiple of 32. */
template <class F> void launch(dim3 grid, dim3 block, size_t smem_bytes, F kernel)
{
    gdim = grid, bdim = block;
    dyn_smem.assign(smem_bytes / sizeof(float4) + 1, float4{0, 0, 0, 0});
    const unsigned n = block.x * block.y * block.z;
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++) {
                block_area area(n, (bx + by + bz) % 2 == 1);
                team().run(n, [&](unsigned t) {
                    tid = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
                    bid = dim3(bx, by, bz);
                    blk = &area;
                    area.begin(t / 32);
                    kernel();
                    area.sync(t / 32, true);
                });
            }
}

inline unsigned flat_tid() { return tid.x + bdim.x * (tid.y + bdim.y * tid.z); }
inline warp_area &my_warp() { return *blk->warps[flat_tid() / 32]; }

inline uint32_t bits(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float flt(uint32_t u)
{
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline float shfl_xor(float v, int mask)
{
    warp_area &w = my_warp();
    const unsigned lane = flat_tid() % 32;
    w.slot[lane][0] = bits(v);
    w.bar.arrive_and_wait();
    const float r = flt(w.slot[lane ^ (unsigned)mask][0]);
    w.bar.arrive_and_wait();
    return r;
}

/* mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 with the PTX ISA's
 * fragments: g = lane / 4, t = lane % 4;
 *   A 16x8: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4)
 *   B 8x8:  b0 (k=t, n=g), b1 (k=t+4, n=g)
 *   C 16x8: c0 (g, 2t), c1 (g, 2t+1), c2 (g+8, 2t), c3 (g+8, 2t+1)
 * (test_cuda_emul checks these against CUTLASS's CuTe layouts of the same
 * instruction.) Where each element lives: */
struct frag {
    unsigned lane, reg;
};
inline frag frag_a(unsigned r, unsigned k)
{
    return {(r % 8) * 4 + k % 4, (r < 8 ? 0u : 1u) + (k < 4 ? 0u : 2u)};
}
inline frag frag_b(unsigned k, unsigned n) { return {n * 4 + k % 4, k < 4 ? 0u : 1u}; }
/* the (row, col) of C register `reg` of `lane` */
inline void frag_c(unsigned lane, unsigned reg, unsigned *row, unsigned *col)
{
    *row = lane / 4 + (reg >= 2 ? 8 : 0), *col = 2 * (lane % 4) + (reg & 1);
}

inline void mma_tf32(float c[4], const uint32_t a[4], const uint32_t b[2])
{
    warp_area &w = my_warp();
    const unsigned lane = flat_tid() % 32;
    for (int i = 0; i < 4; i++)
        w.slot[lane][i] = a[i];
    w.slot[lane][4] = b[0], w.slot[lane][5] = b[1];
    w.bar.arrive_and_wait();
    auto A = [&](unsigned r, unsigned k) {
        const frag f = frag_a(r, k);
        return flt(w.slot[f.lane][f.reg]);
    };
    auto B = [&](unsigned k, unsigned n) {
        const frag f = frag_b(k, n);
        return flt(w.slot[f.lane][4 + f.reg]);
    };
    float d[4];
    for (unsigned i = 0; i < 4; i++) {
        unsigned r, col;
        frag_c(lane, i, &r, &col);
        float s = c[i];
        for (unsigned k = 0; k < 8; k++)
            s += A(r, k) * B(k, col);
        d[i] = s;
    }
    w.bar.arrive_and_wait();
    for (int i = 0; i < 4; i++)
        c[i] = d[i];
}

/* cvt.rna.tf32.f32: round to 10 mantissa bits, ties away from zero */
inline uint32_t to_tf32(float f)
{
    uint32_t u = bits(f);
    if ((u & 0x7f800000u) != 0x7f800000u)
        u += 0x1000u;
    return u & 0xffffe000u;
}

} // namespace emu

#define threadIdx (emu::tid)
#define blockIdx (emu::bid)
#define blockDim (emu::bdim)
#define gridDim (emu::gdim)
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)
#define __syncthreads() (emu::blk->sync(emu::flat_tid() / 32, false))
#define DA3_DYN_SMEM(type) (reinterpret_cast<type *>(emu::dyn_smem.data()))

#endif
