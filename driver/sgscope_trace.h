/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of snd-sgscope: the outcome of every buffer allocation, every
 * descriptor written into the ring, every page callback, every interrupt.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sgscope

#if !defined(SGSCOPE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SGSCOPE_TRACE_H

#include <linux/tracepoint.h>
#include "sgscope_names.h"

/* the strategies by value in the event format, for tools that parse it */
TRACE_DEFINE_ENUM(SGSCOPE_PREALLOC);
TRACE_DEFINE_ENUM(SGSCOPE_SG);
TRACE_DEFINE_ENUM(SGSCOPE_VMALLOC);
TRACE_DEFINE_ENUM(SGSCOPE_NONCONTIG);

TRACE_EVENT(sgscope_alloc,
	    TP_PROTO(int card, int pcm, int stream, int strategy,
		     int dma_type, unsigned int bytes, unsigned int chunks,
		     unsigned int min_chunk, unsigned int max_chunk, bool fell_back,
		     int err, u64 duration_ns),
	    TP_ARGS(card, pcm, stream, strategy, dma_type, bytes, chunks,
		    min_chunk, max_chunk, fell_back, err, duration_ns),
	    TP_STRUCT__entry(__field(int, card)
			     __field(int, pcm)
			     __field(int, stream)
			     __field(int, strategy)
			     __field(int, dma_type)
			     __field(unsigned int, bytes)
			     __field(unsigned int, chunks)
			     __field(unsigned int, min_chunk)
			     __field(unsigned int, max_chunk)
			     __field(bool, fell_back)
			     __field(int, err)
			     __field(u64, duration_ns)),
	    TP_fast_assign(__entry->card = card;
			   __entry->pcm = pcm;
			   __entry->stream = stream;
			   __entry->strategy = strategy;
			   __entry->dma_type = dma_type;
			   __entry->bytes = bytes;
			   __entry->chunks = chunks;
			   __entry->min_chunk = min_chunk;
			   __entry->max_chunk = max_chunk;
			   __entry->fell_back = fell_back;
			   __entry->err = err;
			   __entry->duration_ns = duration_ns;),
	    TP_printk("card=%d pcm=%d stream=%d strategy=%s type=%d bytes=%u chunks=%u min_chunk=%u max_chunk=%u fell_back=%d err=%d ns=%llu",
		      __entry->card, __entry->pcm, __entry->stream,
		      __print_symbolic(__entry->strategy,
				       { SGSCOPE_PREALLOC, SGSCOPE_PREALLOC_NAME },
				       { SGSCOPE_SG, SGSCOPE_SG_NAME },
				       { SGSCOPE_VMALLOC, SGSCOPE_VMALLOC_NAME },
				       { SGSCOPE_NONCONTIG, SGSCOPE_NONCONTIG_NAME }),
		      __entry->dma_type, __entry->bytes,
		      __entry->chunks, __entry->min_chunk, __entry->max_chunk,
		      __entry->fell_back, __entry->err, __entry->duration_ns)
);

TRACE_EVENT(sgscope_desc,
	    TP_PROTO(int card, int engine, unsigned int slot, unsigned int index,
		     u32 addr, u32 bytes, bool ioc),
	    TP_ARGS(card, engine, slot, index, addr, bytes, ioc),
	    TP_STRUCT__entry(__field(int, card)
			     __field(int, engine)
			     __field(unsigned int, slot)
			     __field(unsigned int, index)
			     __field(u32, addr)
			     __field(u32, bytes)
			     __field(bool, ioc)),
	    TP_fast_assign(__entry->card = card;
			   __entry->engine = engine;
			   __entry->slot = slot;
			   __entry->index = index;
			   __entry->addr = addr;
			   __entry->bytes = bytes;
			   __entry->ioc = ioc;),
	    TP_printk("card=%d engine=%d slot=%u index=%u addr=%#x bytes=%u ioc=%d",
		      __entry->card, __entry->engine, __entry->slot, __entry->index,
		      __entry->addr, __entry->bytes, __entry->ioc)
);

TRACE_EVENT(sgscope_page,
	    TP_PROTO(int card, int pcm, int stream, unsigned long offset,
		     unsigned long pfn),
	    TP_ARGS(card, pcm, stream, offset, pfn),
	    TP_STRUCT__entry(__field(int, card)
			     __field(int, pcm)
			     __field(int, stream)
			     __field(unsigned long, offset)
			     __field(unsigned long, pfn)),
	    TP_fast_assign(__entry->card = card;
			   __entry->pcm = pcm;
			   __entry->stream = stream;
			   __entry->offset = offset;
			   __entry->pfn = pfn;),
	    TP_printk("card=%d pcm=%d stream=%d offset=%lu pfn=%#lx",
		      __entry->card, __entry->pcm, __entry->stream,
		      __entry->offset, __entry->pfn)
);

TRACE_EVENT(sgscope_irq,
	    TP_PROTO(int card, int engine, u16 sr, u8 civ, u8 lvi,
		     unsigned int periods),
	    TP_ARGS(card, engine, sr, civ, lvi, periods),
	    TP_STRUCT__entry(__field(int, card)
			     __field(int, engine)
			     __field(u16, sr)
			     __field(u8, civ)
			     __field(u8, lvi)
			     __field(unsigned int, periods)),
	    TP_fast_assign(__entry->card = card;
			   __entry->engine = engine;
			   __entry->sr = sr;
			   __entry->civ = civ;
			   __entry->lvi = lvi;
			   __entry->periods = periods;),
	    TP_printk("card=%d engine=%d sr=%#x civ=%u lvi=%u periods=%u",
		      __entry->card, __entry->engine, __entry->sr, __entry->civ,
		      __entry->lvi, __entry->periods)
);

#endif /* SGSCOPE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE sgscope_trace
#include <trace/define_trace.h>
