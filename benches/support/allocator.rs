//! The binary's allocator (src/main.rs), so that a bench measures what `bench-bot` does.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
