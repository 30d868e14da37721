/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/redirect misc device.
 */
#ifndef _RDR_DEVICE_H
#define _RDR_DEVICE_H

int rdr_device_init(void);
void rdr_device_uninit(void);

#endif /* _RDR_DEVICE_H */
