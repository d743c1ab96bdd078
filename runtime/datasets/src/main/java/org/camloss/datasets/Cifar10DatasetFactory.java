package org.camloss.datasets;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.camloss.api.DatasetFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.data.Dataset;

/** {@code cifar10}: CIFAR-10's binary version ({@code data_batch_1..5.bin}, {@code test_batch.bin}). */
public final class Cifar10DatasetFactory implements DatasetFactory {
    @Override
    public String id() {
        return "cifar10";
    }

    @Override
    public String description() {
        return "CIFAR-10, binary version (cifar-10-batches-bin: data_batch_1..5.bin, test_batch.bin), from a local directory.";
    }

    @Override
    public List<ParamSpec> params() {
        return DataParams.with(List.of(ParamSpec.ofString(
                "dir",
                "data/cifar-10-batches-bin",
                "Directory holding data_batch_1.bin … data_batch_5.bin and test_batch.bin.")));
    }

    /** The shared rules of file datasets ({@link DataParams#validate}). */
    @Override
    public List<ParamProblem> validate(Params p) {
        return DataParams.validate(p);
    }

    @Override
    public Dataset create(Params p) {
        ParamProblem.throwIfAny(validate(p));
        Path dir = Path.of(p.getString("dir"));
        List<Path> train = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            train.add(dir.resolve("data_batch_" + i + ".bin"));
        }
        MessageDigest digest = Fingerprints.sha256();
        ImageArrays tr = CifarReader.read(train, 1, 0, 10, p.getInt("train_limit"), digest);
        ImageArrays te =
                CifarReader.read(List.of(dir.resolve("test_batch.bin")), 1, 0, 10, p.getInt("test_limit"), digest);
        List<String> names = CifarReader.names(dir.resolve("batches.meta.txt"), 10);
        return new ArrayDataset(
                "cifar10(" + dir + ", train=" + tr.size() + ", test=" + te.size() + ")",
                names,
                tr,
                te,
                p,
                Fingerprints.finish(digest, id(), p.asMap()));
    }
}
