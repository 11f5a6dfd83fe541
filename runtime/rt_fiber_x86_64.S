/* rt_fiber_x86_64.S: the fiber context switch for x86-64 System V.
 *
 * void rt_ctx_switch(void **save_sp, void *new_sp)
 *   Saves the callee-saved registers and the SSE/x87 control words of the running context on
 *   its stack, stores its stack pointer in *save_sp, then restores the context whose stack
 *   pointer is new_sp and returns into it. Caller-saved registers need no saving: the switch
 *   is an ordinary function call to the C code on both sides.
 *
 * rt_ctx_trampoline: first return target of a new fiber's stack (see rt_fiber.c, which builds
 *   the initial frame): calls r13(r12) on a 16-byte aligned stack; it never returns. */
#if defined(__x86_64__)
    .text
    .globl rt_ctx_switch
    .type rt_ctx_switch, @function
rt_ctx_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size rt_ctx_switch, .-rt_ctx_switch

    .globl rt_ctx_trampoline
    .type rt_ctx_trampoline, @function
rt_ctx_trampoline:
    movq %r12, %rdi
    andq $-16, %rsp
    callq *%r13
    ud2
    .size rt_ctx_trampoline, .-rt_ctx_trampoline
#endif
    .section .note.GNU-stack,"",@progbits
