/* How much memory the agent lets queued output take; its tests check growth against these. */
#ifndef ERA_BOUNDS_H
#define ERA_BOUNDS_H

/* Producers (command output, file reads) pause while this much is queued for the host... */
#define OUT_HIGH (1u << 20)
/* ...and requests stop being read while this much is: guest memory stays bounded when the host reads slowly. */
#define OUT_HARD (4u << 20)
/* Output kept for commands no host is attached to: their pipes pause while this much is held. */
#define HELD_HIGH (4u << 20)

#endif
