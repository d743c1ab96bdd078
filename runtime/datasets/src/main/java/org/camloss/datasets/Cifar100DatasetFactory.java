package org.camloss.datasets;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.camloss.api.DatasetFactory;
import org.camloss.api.ParamProblem;
import org.camloss.api.ParamSpec;
import org.camloss.api.Params;
import org.camloss.api.data.Dataset;

/** {@code cifar100}: CIFAR-100's binary version ({@code train.bin}, {@code test.bin}), fine or coarse labels. */
public final class Cifar100DatasetFactory implements DatasetFactory {
    @Override
    public String id() {
        return "cifar100";
    }

    @Override
    public String description() {
        return "CIFAR-100, binary version (cifar-100-binary: train.bin, test.bin), fine (100) or coarse (20) labels.";
    }

    @Override
    public List<ParamSpec> params() {
        return DataParams.with(List.of(
                ParamSpec.ofString("dir", "data/cifar-100-binary", "Directory holding train.bin and test.bin."),
                ParamSpec.ofChoice(
                        "labels",
                        "fine",
                        List.of("fine", "coarse"),
                        "Which labels: the 100 fine classes or the 20 coarse superclasses.")));
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
        boolean fine = p.getString("labels").equals("fine");
        int k = fine ? 100 : 20;
        int index = fine ? 1 : 0;
        MessageDigest digest = Fingerprints.sha256();
        ImageArrays tr =
                CifarReader.read(List.of(dir.resolve("train.bin")), 2, index, k, p.getInt("train_limit"), digest);
        ImageArrays te =
                CifarReader.read(List.of(dir.resolve("test.bin")), 2, index, k, p.getInt("test_limit"), digest);
        List<String> names =
                CifarReader.names(dir.resolve(fine ? "fine_label_names.txt" : "coarse_label_names.txt"), k);
        return new ArrayDataset(
                "cifar100-" + p.getString("labels") + "(" + dir + ", train=" + tr.size() + ", test=" + te.size() + ")",
                names,
                tr,
                te,
                p,
                Fingerprints.finish(digest, id(), p.asMap()));
    }
}
