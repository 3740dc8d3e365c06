/*
 * tests/host/fake_vpci_priv.h - shared by fake_vpci.c (the registers) and
 * fake_vpci_setup.c (identity, capabilities, BAR assignment) only.
 */
#ifndef ORDO_TESTS_FAKE_VPCI_PRIV_H
#define ORDO_TESTS_FAKE_VPCI_PRIV_H

#include "tests/host/fake_vpci.h"

/* The function's part of a device reset: selectors and MSI-X vectors. */
void fvp_regs_reset(struct fake_vpci *f);

/* Install `f` as the host_io model. */
void fvp_install(struct fake_vpci *f);

#endif
