package org.camloss.engine.conv;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the oneDNN plans of this package share: the process's one CPU engine, status checks, memory descriptors, the
 * native objects of a plan (destroyed by a {@link Cleaner}) and {@link Port}, one tensor as a primitive sees it (the
 * INDArray's buffer, and where the primitive wants another layout, an internal memory in scratch with its reorder).
 */
final class Dnnl {

    /** The providers' name with the loaded oneDNN's version, e.g. {@code onednn-2.5.2}. */
    static String providerName() {
        org.bytedeco.dnnl.dnnl_version_t v = org.bytedeco.dnnl.global.dnnl.dnnl_version();
        return "onednn-" + v.major() + "." + v.minor() + "." + v.patch();
    }

    static final Cleaner CLEANER = Cleaner.create();
    static final long ALIGN_FLOATS = 16; // 64 bytes

    private Dnnl() {}

    /** The process's one CPU engine. */
    static final class Engine {
        private static final dnnl_engine ENGINE = create();

        static dnnl_engine get() {
            return ENGINE;
        }

        private static dnnl_engine create() {
            dnnl_engine e = new dnnl_engine();
            check(dnnl_engine_create(e, dnnl_cpu, 0), "dnnl_engine_create");
            return e;
        }
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
        }
    }

    /** A movable address for {@code dnnl_memory_set_data_handle}. */
    static final class Address extends Pointer {
        Address at(long a) {
            address = a;
            return this;
        }
    }

    /** Where {@code a}'s first element is: a view's buffer pointer already includes the view's offset. */
    static long address(INDArray a) {
        Pointer p = a.data().addressPointer();
        return p.address() + p.position() * p.sizeof();
    }

    static dnnl_memory_desc_t md(long[] dims, int tag) {
        dnnl_memory_desc_t m = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(m, dims.length, dims, dnnl_f32, tag), "dnnl_memory_desc_init_by_tag");
        return m;
    }

    static String implName(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> p = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, p), "query impl_info_str");
        return p.get(BytePointer.class).getString();
    }

    /** Native objects of a plan, destroyed when the plan becomes unreachable. */
    static final class Natives implements Runnable {
        final List<dnnl_primitive> primitives = new ArrayList<>();
        final List<dnnl_memory> memories = new ArrayList<>();
        final List<dnnl_primitive_desc> descs = new ArrayList<>();
        dnnl_stream stream;

        /** A memory on {@code e} for {@code md} with its buffer set later, destroyed with the plan. */
        dnnl_memory memory(dnnl_memory_desc_t md, dnnl_engine e) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, e, (Pointer) null), "dnnl_memory_create");
            memories.add(m);
            return m;
        }

        /** The primitive of {@code pd}, destroyed with the plan; {@code what} names it in errors. */
        dnnl_primitive primitive(dnnl_primitive_desc pd, String what) {
            dnnl_primitive p = new dnnl_primitive();
            check(dnnl_primitive_create(p, pd), "dnnl_primitive_create (" + what + ")");
            primitives.add(p);
            return p;
        }

        /** The plan's stream on {@code e}, destroyed with the plan. */
        dnnl_stream stream(dnnl_engine e) {
            stream = new dnnl_stream();
            check(dnnl_stream_create(stream, e, dnnl_stream_default_flags), "dnnl_stream_create");
            return stream;
        }

        @Override
        public void run() {
            primitives.forEach(p -> dnnl_primitive_destroy(p));
            memories.forEach(m -> dnnl_memory_destroy(m));
            descs.forEach(d -> dnnl_primitive_desc_destroy(d));
            if (stream != null) {
                dnnl_stream_destroy(stream);
            }
        }
    }

    /** A reorder primitive with its arguments (the memories bound when the plan runs). */
    record Reorder(dnnl_primitive primitive, dnnl_exec_arg_t args) {
        void run(dnnl_stream s) {
            check(dnnl_primitive_execute(primitive, s, 2, args), "reorder");
        }
    }

    /**
     * One tensor as a primitive sees it: the user's memory (the INDArray's buffer), and, when the primitive wants
     * another layout, an internal memory in the scratch array with the reorder between them.
     */
    static final class Port {
        final dnnl_memory user;
        final Address userAddress = new Address();
        final dnnl_memory internal;
        final Address internalAddress = new Address();
        final dnnl_primitive reorder;
        final dnnl_exec_arg_t reorderArgs;
        final long scratchOffset; // floats
        final boolean intoUser; // reorder direction: internal → user (an output) or user → internal (an input)

        private final dnnl_memory_desc_t userMd;
        private final dnnl_memory_desc_t wanted;

        Port(dnnl_memory_desc_t userMd, dnnl_memory_desc_t wanted, boolean output, long scratchOffset, Natives n) {
            this.userMd = userMd;
            this.wanted = wanted;
            dnnl_engine e = Engine.get();
            user = n.memory(userMd, e);
            intoUser = output;
            if (dnnl_memory_desc_equal(userMd, wanted) != 0) {
                internal = null;
                reorder = null;
                reorderArgs = null;
                this.scratchOffset = -1;
                return;
            }
            internal = n.memory(wanted, e);
            Reorder r =
                    output ? reorder(wanted, internal, userMd, user, n) : reorder(userMd, user, wanted, internal, n);
            reorder = r.primitive();
            reorderArgs = r.args();
            this.scratchOffset = scratchOffset;
        }

        /** A reorder from {@code from} (laid out as {@code fromMd}) into {@code to}, destroyed with the plan. */
        private static Reorder reorder(
                dnnl_memory_desc_t fromMd, dnnl_memory from, dnnl_memory_desc_t toMd, dnnl_memory to, Natives n) {
            dnnl_engine e = Engine.get();
            dnnl_primitive_desc rpd = new dnnl_primitive_desc();
            check(
                    dnnl_reorder_primitive_desc_create(rpd, fromMd, e, toMd, e, null),
                    "dnnl_reorder_primitive_desc_create");
            n.descs.add(rpd);
            dnnl_exec_arg_t a = new dnnl_exec_arg_t(2);
            a.position(0).arg(DNNL_ARG_FROM).memory(from);
            a.position(1).arg(DNNL_ARG_TO).memory(to);
            a.position(0);
            return new Reorder(n.primitive(rpd, "reorder"), a);
        }

        static long floats(dnnl_memory_desc_t userMd, dnnl_memory_desc_t wanted) {
            if (dnnl_memory_desc_equal(userMd, wanted) != 0) {
                return 0;
            }
            long f = (dnnl_memory_desc_get_size(wanted) + 3) / 4;
            return (f + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
        }

        /** The memory the primitive takes, after binding both to their buffers. */
        dnnl_memory bind(long userAddr, long scratchBase) {
            return bindAt(userAddr, scratchBase + 4 * scratchOffset);
        }

        /** As {@link #bind}, with the internal memory at {@code internalAddr} (a buffer the plan keeps) instead of in scratch. */
        dnnl_memory bindAt(long userAddr, long internalAddr) {
            check(dnnl_memory_set_data_handle(user, userAddress.at(userAddr)), "dnnl_memory_set_data_handle");
            if (internal == null) {
                return user;
            }
            check(
                    dnnl_memory_set_data_handle(internal, internalAddress.at(internalAddr)),
                    "dnnl_memory_set_data_handle");
            return internal;
        }

        /** {@code name} when this port reorders, else "". */
        String named(String name) {
            return reorder == null ? "" : name;
        }

        void reorderIn(dnnl_stream s) {
            if (reorder != null && !intoUser) {
                check(dnnl_primitive_execute(reorder, s, 2, reorderArgs), "reorder");
            }
        }

        /**
         * For an output port that reorders: the reorder the other way, the user's array into the internal memory
         * (for a primitive that reads the output's prior contents, a sum post-op); destroyed with the plan.
         */
        Reorder reverse(Natives n) {
            if (reorder == null || !intoUser) {
                throw new IllegalStateException("only an output port with a reorder has a reverse one");
            }
            return reorder(userMd, user, wanted, internal, n);
        }

        void reorderOut(dnnl_stream s) {
            if (reorder != null && intoUser) {
                check(dnnl_primitive_execute(reorder, s, 2, reorderArgs), "reorder");
            }
        }
    }
}
