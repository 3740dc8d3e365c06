# kernel/libc/libc.mk - images with the user's program: make APP=dir.
#
#   make APP=apps/kvlog [ARCH=...]   build/$(ARCH)/app-kvlog/ordo.img
#   make run APP=apps/kvlog          boot it (the words after "--" in
#                                    RUN_APPEND are its argv; see README)
#
# APP is a directory (all its .c files) or one .c file.  The image is the
# kernel's objects (shared with the plain image) without lib/string.c,
# lib/printf.c and kernel/app_none.c, whose jobs the C library and
# kernel/libc do here; kernel/libc's two halves; the program; and the C
# library the arch names (LIBC_*, arch.mk).  The program is built as
# hosted C (-std=gnu11), with the library's headers and kernel/libc/include
# (dirent, statvfs) first; APP_CFLAGS adds flags of the user's.

LIBC_KSRCS := kernel/libc/app.c kernel/libc/tls.c kernel/libc/kprintf.c
LIBC_USRCS := kernel/libc/sys.c kernel/libc/malloc.c kernel/libc/crt.c kernel/libc/pthread.c
LIBC_KOBJS := $(patsubst %,$(OUT)/obj/%.o,$(LIBC_KSRCS))
LIBC_UOBJS := $(patsubst %,$(OUT)/libc/%.o,$(LIBC_USRCS))
# What the library side and programs are built with.  x86_64's kernel is
# built -mgeneral-regs-only, which a program passing a double cannot be.
# -ftls-model=local-exec: every thread-local variable (errno too) is in
# this one static image, at a fixed offset from the thread pointer; the
# default for an extern one would go through the GOT.
# _POSIX_TIMERS, _POSIX_MONOTONIC_CLOCK: the POSIX options ordo implements
# (clock_gettime, nanosleep) and the libraries' headers declare only when
# the OS says so.
LIBC_ARCH_CFLAGS := $(filter-out -mgeneral-regs-only,$(ARCH_CFLAGS)) -ftls-model=local-exec \
	-D_POSIX_TIMERS=200809L -D_POSIX_MONOTONIC_CLOCK=200809L
LIBC_SIDE_CFLAGS := -std=gnu11 $(WARN) -O2 -g -fno-pic -fno-stack-protector \
	-Ikernel/libc/include $(LIBC_CFLAGS) -I. $(LIBC_ARCH_CFLAGS)
APP_CFLAGS ?=
USER_CFLAGS := -std=gnu11 -Wall -Wextra -O2 -g -fno-pic -fno-stack-protector \
	-Ikernel/libc/include $(LIBC_CFLAGS) $(LIBC_ARCH_CFLAGS) $(APP_CFLAGS)

# Objects the plain image has and an APP image replaces.
LIBC_REPLACED := $(patsubst %,$(OUT)/obj/%.o,lib/string.c lib/printf.c kernel/app_none.c)

# The library's packages (tools/deps.sh), before anything uses them.
deps-app:
	@tools/deps.sh app $(ARCH)
.PHONY: deps-app
$(LIBC_DEPS): | deps-app

$(OUT)/libc/%.c.o: %.c $(LIBC_DEPS) kernel/libc/libc.mk
	@mkdir -p $(dir $@)
	$(call msg,CC,$< [$(LIBC_NAME)])
	$(Q)$(CC) $(LIBC_SIDE_CFLAGS) -MMD -MP -c $< -o $@

-include $(LIBC_UOBJS:.o=.d) $(LIBC_KOBJS:.o=.d)

ifneq ($(APP),)
APP_PATH := $(patsubst %/,%,$(APP))
APP_NAME := $(basename $(notdir $(APP_PATH)))
APP_DIR := $(if $(filter %.c,$(APP_PATH)),$(dir $(APP_PATH)),$(APP_PATH)/)
APP_SRCS := $(if $(filter %.c,$(APP_PATH)),$(APP_PATH),$(wildcard $(APP_PATH)/*.c))
APP_OUT := $(OUT)/app-$(APP_NAME)
APP_OBJS := $(patsubst $(APP_DIR)%.c,$(APP_OUT)/obj/%.o,$(APP_SRCS))
APP_ELF := $(APP_OUT)/ordo.elf
APP_IMAGE := $(APP_OUT)/ordo.img

ifeq ($(APP_SRCS),)
$(error APP=$(APP): no .c file there)
endif

$(APP_OUT)/obj/%.o: $(APP_DIR)%.c $(LIBC_DEPS) kernel/libc/libc.mk
	@mkdir -p $(dir $@)
	$(call msg,CC,$< [app])
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

-include $(APP_OBJS:.o=.d)

APP_LINK := $(filter-out $(LIBC_REPLACED),$(OBJS)) $(LIBC_KOBJS) $(LIBC_UOBJS) $(APP_OBJS)

$(APP_ELF): $(APP_LINK) $(ARCH_LDSCRIPT) $(LIBC_DEPS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(APP_LINK) -Wl,--start-group $(LIBC_LIBS) \
		-Wl,--end-group -Wl,-Map,$(APP_OUT)/ordo.map -o $@

$(APP_IMAGE): $(APP_ELF)
	$(call msg,OBJCOPY,$@)
	$(Q)$(ARCH_MKIMAGE)

all: $(APP_IMAGE)
endif
