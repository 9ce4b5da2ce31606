using Bridge.Targets.Container;

namespace Bridge.Targets.Tests.Container;

public sealed class ImageRecipeTests
{
    [Fact]
    public void The_repository_recipe_hashes_its_two_inputs_into_the_tag()
    {
        var recipe = ImageRecipe.FromRepository(HostFacts.RepositoryRoot());

        Assert.Matches("^[0-9a-f]{64}$", recipe.Hash);
        Assert.Equal("bridge-test:" + recipe.Hash[..12], recipe.Reference);
        Assert.True(File.Exists(recipe.BuildScript));
    }

    [Fact]
    public void Any_change_to_an_input_changes_the_hash_and_a_copy_keeps_it()
    {
        using var dir = new ScratchDirectory();
        var source = ImageRecipe.FromRepository(HostFacts.RepositoryRoot());
        foreach (var name in ImageRecipe.Inputs)
            File.Copy(Path.Combine(source.Directory, name), Path.Combine(dir.Path, name));
        File.WriteAllText(Path.Combine(dir.Path, "README"), "not an input");

        Assert.Equal(source.Hash, ImageRecipe.Load(dir.Path).Hash);
        File.AppendAllText(Path.Combine(dir.Path, ImageRecipe.PackageListName), "strace\n");
        var changed = ImageRecipe.Load(dir.Path);
        Assert.NotEqual(source.Hash, changed.Hash);
        Assert.NotEqual(source.Tag, changed.Tag);
    }

    [Fact]
    public void Moving_bytes_between_inputs_changes_the_hash()
    {
        using var a = new ScratchDirectory();
        using var b = new ScratchDirectory();
        File.WriteAllText(Path.Combine(a.Path, ImageRecipe.BuildScriptName), "xy");
        File.WriteAllText(Path.Combine(a.Path, ImageRecipe.PackageListName), "z");
        File.WriteAllText(Path.Combine(b.Path, ImageRecipe.BuildScriptName), "x");
        File.WriteAllText(Path.Combine(b.Path, ImageRecipe.PackageListName), "yz");

        Assert.NotEqual(ImageRecipe.Load(a.Path).Hash, ImageRecipe.Load(b.Path).Hash);
    }

    [Fact]
    public void A_missing_input_or_directory_is_named()
    {
        using var dir = new ScratchDirectory();
        File.WriteAllText(Path.Combine(dir.Path, ImageRecipe.BuildScriptName), "#!/bin/bash\n");

        var missingFile = Assert.Throws<ContainerException>(() => ImageRecipe.Load(dir.Path));
        Assert.Contains(Path.Combine(dir.Path, ImageRecipe.PackageListName), missingFile.Message);
        var missingDir = Assert.Throws<ContainerException>(() => ImageRecipe.Load(Path.Combine(dir.Path, "nope")));
        Assert.Contains("containers/image", missingDir.Message);
    }
}
